import { observabilityLinks } from './observability';

describe('observability links', () => {
  it('fills the templates with URL-encoded values of the entity', () => {
    const links = observabilityLinks(
      {
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'Component',
        metadata: {
          name: 'cart service',
          annotations: {
            'backstage.io/kubernetes-id': 'cart',
            'backstage.io/kubernetes-namespace': 'team-checkout',
          },
        },
      },
      [
        {
          kind: 'traces',
          title: 'Tempo',
          url: 'https://tempo.acme.example/search?service={{kubernetes-id}}&ns={{ kubernetes-namespace }}&x={{unknown}}',
        },
        {
          kind: 'dashboards',
          title: 'Grafana',
          url: 'https://grafana.acme.example/d/x?var-s={{name}}',
        },
      ],
    );
    expect(links.map(l => l.url)).toEqual([
      'https://tempo.acme.example/search?service=cart&ns=team-checkout&x={{unknown}}',
      'https://grafana.acme.example/d/x?var-s=cart%20service',
    ]);
  });
});
