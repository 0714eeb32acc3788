export { NodeCollector } from './collector.js';
export { METRICS_PATH, type MetricsOptions, type MetricsServer, startMetrics } from './exporter.js';
export { counterFamily, type FamilyKey, gaugeFamily, METRIC_PREFIX } from './names.js';
