import type { Cluster, Redis } from 'ioredis';

/**
 * The connection a farm runs on: one Redis, or a Redis Cluster (TFCTL_REDIS_CLUSTER=1, see connect.ts).
 * Code that takes a farm's connection takes this type, so that a command only one of the two clients has
 * (SELECT, SCAN over every node) is a type error and not a surprise on a cluster.
 */
export type RedisClient = Redis | Cluster;
