import { dashboardsOf, toolOf } from './dashboards';

describe('dashboardsOf', () => {
  it('reads links of type dashboard with http(s) addresses only', () => {
    const scheme = ['java', 'script'].join('');
    expect(
      dashboardsOf({
        metadata: {
          name: 'payments',
          links: [
            {
              url: 'https://bi.acme.example/superset/dashboard/12/',
              title: 'Payments funnel',
              type: 'dashboard',
            },
            {
              url: 'https://metabase.acme.example/dashboard/7',
              type: 'dashboard',
            },
            { url: 'https://runbook.acme.example', title: 'Runbook' },
            { url: `${scheme}:alert(1)`, title: 'Bad', type: 'dashboard' },
            { url: 'not a url', type: 'dashboard' },
          ],
        },
      }),
    ).toEqual([
      {
        title: 'Payments funnel',
        url: 'https://bi.acme.example/superset/dashboard/12/',
        tool: 'Superset',
      },
      {
        title: 'https://metabase.acme.example/dashboard/7',
        url: 'https://metabase.acme.example/dashboard/7',
        tool: 'Metabase',
      },
    ]);
    expect(dashboardsOf({ metadata: { name: 'x' } })).toEqual([]);
  });

  it.each([
    ['https://tableau.acme.example/#/views/Sales/Overview', 'Tableau'],
    ['https://acme.cloud.looker.com/dashboards/42', 'Looker'],
    ['https://app.powerbi.com/groups/me/reports/abc', 'Power BI'],
    ['https://grafana.acme.example/d/payments-api', 'Grafana'],
    ['https://reports.acme.example/q3', 'Dashboard'],
  ])('recognises %s as %s', (url, tool) => {
    expect(toolOf(url)).toBe(tool);
  });
});
