// Cluster tests start the same private Redis Cluster the demo and the benchmark use.
export { startCluster, type PrivateCluster, type ClusterNode } from '../../src/dev/redis-cluster.js';
