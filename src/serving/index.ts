/**
 * Private prediction serving (DESIGN.md §9): `serve` on the driver, `Client` for callers.
 * @example
 * ```ts
 * const service = await tfe.serving.serve(model, { address: 'tcp://127.0.0.1:5990', servers: { server0: 'tcp://127.0.0.1:5991', server1: 'tcp://127.0.0.1:5992' } });
 * const client = await tfe.serving.Client.connect('tcp://127.0.0.1:5990');
 * console.log((await client.predict([[1, 2, 3, 4]])).arraySync());
 * ```
 */
export { serve, PredictionService, type ServeOptions, type ServiceStatus } from './server.js';
export { Client, type ClientOptions, type PredictInput } from './client.js';
export { shareInput, reconstruct } from './shares.js';
export { LatencyWindow, percentile } from './stats.js';
