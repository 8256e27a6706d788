// Tests start the same private redis-server the demo and the benchmark use.
export { freePort, startRedis, type PrivateRedis } from '../../src/dev/redis-server.js';
