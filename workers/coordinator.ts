/* Thread entry point of the coordinator: wires the init data to the loop in src/. */
import { workerData } from "node:worker_threads";
import { type CoordinatorInit, runCoordinator } from "../src/shards/coordinator-loop.js";

runCoordinator(workerData as CoordinatorInit);
