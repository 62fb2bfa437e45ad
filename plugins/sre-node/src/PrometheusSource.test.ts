import { PrometheusSource } from './PrometheusSource';

describe('PrometheusSource', () => {
  it('describes itself without the credentials or query of its URL', () => {
    const source = new PrometheusSource({
      name: 'production',
      url: 'https://sre:hunter2@prometheus.acme.example:9090/prom?token=t0k3n',
      timeoutMs: 1000,
    });
    expect(source.describe()).toEqual({
      name: 'production',
      url: 'https://prometheus.acme.example:9090/prom',
    });
  });
});
