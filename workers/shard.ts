/* Thread entry point of a shard worker: wires the init data to the engine loop in src/. */
import { workerData } from "node:worker_threads";
import { runShardWorker, type ShardWorkerInit } from "../src/shards/worker-loop.js";

runShardWorker(workerData as ShardWorkerInit);
