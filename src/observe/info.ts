/*
 * INFO (server.c genRedisInfoString) and the memory accounting it shares with MEMORY STATS
 * and MEMORY DOCTOR (object.c getMemoryOverheadData).
 *
 * The figures come from three places: the server object (connections, config, network
 * counters), the main thread's Observability (its own command stats, errors, latency
 * histograms, instantaneous metrics), and every shard's ShardStats (commands they ran,
 * keyspace hits/misses, expiries, dirty counter, key counts, their V8 heap), fetched with
 * one `stats` control request per shard and merged here.
 *
 * Output format, as Redis 7.0: `# Section\r\n` then `field:value\r\n` lines; sections are
 * separated by one `\r\n`; nothing after the last section's last line.
 */

import os from "node:os";
import path from "node:path";
import { cpuUsage, memoryUsage } from "node:process";
import { REDIS_VERSION } from "../commands/connection.js";
import { allSpecs } from "../commands/table.js";
import { formatPercentile } from "../config/parse.js";
import type { Server } from "../net/server.js";
import type { CommandStat, ShardStats } from "../shards/engine.js";
import { LatencyHistogram } from "./latency.js";
import { mainUsedMemory, parseShardStats } from "./stats.js";

// ---------------------------------------------------------------- shard stats

/**
 * Every shard's ShardStats folded into one view: the counters summed (keyspace per logical
 * db: keys and expires summed, avg_ttl weighted by expires; heapUsed: the worker shards'
 * V8 heaps, 0 with `--shards 0`), the per-command maps merged.
 */
export interface MergedShardStats extends Omit<ShardStats, "commands" | "errors" | "latency"> {
  commands: Map<string, CommandStat>;
  errors: Map<string, number>;
  histograms: Map<string, LatencyHistogram>;
}

/**
 * Asks every shard for its stats and merges them. Commands that run on every shard
 * (`runsOn: "all"`, e.g. DBSIZE, FLUSHALL) are executed once per shard but are one call
 * for the client: their calls are the maximum over shards, their usec the sum.
 */
/** Merged stats with nothing in them yet, for `databases` logical dbs. */
function emptyMergedStats(databases: number): MergedShardStats {
  return {
    commands: new Map(),
    errors: new Map(),
    keyspaceHits: 0,
    keyspaceMisses: 0,
    expiredKeys: 0,
    expiredStalePerc: 0,
    dirty: 0,
    keyspace: Array.from({ length: databases }, () => ({ keys: 0, expires: 0, avgTtl: 0 })),
    heapUsed: 0,
    histograms: new Map(),
  };
}

export async function gatherShardStats(server: Server): Promise<MergedShardStats> {
  const replies = await server.router.controlAll(["stats"]);
  const m = emptyMergedStats(server.databases);
  const everywhere = new Set<string>();
  for (const spec of allSpecs()) if (spec.runsOn === "all") everywhere.add(spec.name);
  const ttlWeight = new Array<number>(server.databases).fill(0);
  let shards = 0;
  for (const r of replies) {
    const st = parseShardStats(r);
    if (st === undefined) continue;
    shards++;
    for (const [name, c] of Object.entries(st.commands)) {
      const acc = m.commands.get(name);
      if (acc === undefined) m.commands.set(name, { calls: c.calls, usec: c.usec, failed: c.failed });
      else if (everywhere.has(name)) {
        acc.calls = Math.max(acc.calls, c.calls);
        acc.failed = Math.max(acc.failed, c.failed);
        acc.usec += c.usec;
      } else {
        acc.calls += c.calls;
        acc.usec += c.usec;
        acc.failed += c.failed;
      }
    }
    for (const [code, n] of Object.entries(st.errors)) m.errors.set(code, (m.errors.get(code) ?? 0) + n);
    m.keyspaceHits += st.keyspaceHits;
    m.keyspaceMisses += st.keyspaceMisses;
    m.expiredKeys += st.expiredKeys;
    m.expiredStalePerc += st.expiredStalePerc;
    m.dirty += st.dirty;
    m.heapUsed += st.heapUsed;
    st.keyspace.forEach((db, i) => {
      const acc = m.keyspace[i];
      if (acc === undefined) return;
      acc.keys += db.keys;
      acc.expires += db.expires;
      if (db.avgTtl > 0) {
        acc.avgTtl += db.avgTtl * db.expires;
        ttlWeight[i] += db.expires;
      }
    });
    if (st.latency !== undefined) {
      for (const [name, pairs] of Object.entries(st.latency)) {
        let h = m.histograms.get(name);
        if (h === undefined) {
          h = new LatencyHistogram();
          m.histograms.set(name, h);
        }
        h.addSparse(pairs);
      }
    }
  }
  m.keyspace.forEach((db, i) => {
    db.avgTtl = ttlWeight[i] > 0 ? Math.round(db.avgTtl / ttlWeight[i]) : 0;
  });
  if (shards > 0) m.expiredStalePerc /= shards;
  // `--shards 0`: the engine's heap is this thread's, already counted as the main one
  if (server.router.inline !== undefined) m.heapUsed = 0;
  server.observe.lastShardHeap = m.heapUsed;
  return m;
}

/** Main-thread and shard command stats together, by full command name. */
export function mergedCommandStats(
  server: Server,
  shards: MergedShardStats,
): Map<string, { calls: number; usec: number; failed: number; rejected: number }> {
  const out = new Map<string, { calls: number; usec: number; failed: number; rejected: number }>();
  for (const [name, st] of server.observe.commands)
    out.set(name, { calls: st.calls, usec: st.usec, failed: st.failed, rejected: st.rejected });
  for (const [name, st] of shards.commands) {
    const acc = out.get(name);
    if (acc === undefined) out.set(name, { calls: st.calls, usec: st.usec, failed: st.failed, rejected: 0 });
    else {
      acc.calls += st.calls;
      acc.usec += st.usec;
      acc.failed += st.failed;
    }
  }
  return out;
}

/** Main-thread histograms merged with the shards' (when they report any). */
export function mergedHistograms(server: Server, shards: MergedShardStats | undefined): Map<string, LatencyHistogram> {
  if (shards === undefined || shards.histograms.size === 0) return server.observe.histograms;
  const out = new Map<string, LatencyHistogram>();
  for (const [name, h] of server.observe.histograms) {
    const copy = new LatencyHistogram();
    copy.merge(h);
    out.set(name, copy);
  }
  for (const [name, h] of shards.histograms) {
    const acc = out.get(name);
    if (acc === undefined) out.set(name, h);
    else acc.merge(h);
  }
  return out;
}

// ---------------------------------------------------------------- memory accounting

/** getMemoryOverheadData's figures, from what V8 and the shards tell us. */
export interface MemoryOverhead {
  used: number;
  rss: number;
  peak: number;
  startup: number;
  clientsNormal: number;
  overheadTotal: number;
  dataset: number;
  datasetPerc: number;
  peakPerc: number;
  totalKeys: number;
  bytesPerKey: number;
  allocatorAllocated: number;
  allocatorActive: number;
  allocatorResident: number;
  dbs: Array<{ index: number; main: number; expires: number }>;
}

function nextPow2(n: number): number {
  if (n <= 4) return n === 0 ? 0 : 4;
  return 2 ** Math.ceil(Math.log2(n));
}

/** Output buffers of the normal clients: what is queued and what the socket still holds. */
function clientsOutputMemory(server: Server): number {
  let n = 0;
  for (const c of server.clients.values()) n += c.out.length + c.socket.writableLength;
  return n;
}

/**
 * The memory overview. used = main heap + its off-heap buffers + the worker shards' heaps;
 * rss is the whole process; "allocator" figures are V8's (allocated = used, active = the
 * heaps' reserved size, resident = rss). Hash table overheads use Redis's formula
 * (entries * (dictEntry + robj) + buckets * pointer) as an estimate of ours.
 */
export function memoryOverhead(server: Server, shards: MergedShardStats): MemoryOverhead {
  const mu = memoryUsage();
  const used = mainUsedMemory(mu) + shards.heapUsed;
  server.observe.notePeak(used);
  const peak = server.observe.peakMemory;
  const startup =
    server.observe.startupMemory + (server.router.inline === undefined ? server.observe.startupShardHeap : 0);
  const clientsNormal = clientsOutputMemory(server);
  let overheadTotal = startup + clientsNormal;
  let totalKeys = 0;
  const dbs: MemoryOverhead["dbs"] = [];
  shards.keyspace.forEach((db, index) => {
    if (db.keys === 0) return;
    const main = db.keys * (24 + 16) + nextPow2(db.keys) * 8;
    const expires = db.expires * 24 + nextPow2(db.expires) * 8;
    overheadTotal += main + expires;
    totalKeys += db.keys;
    dbs.push({ index, main, expires });
  });
  const dataset = Math.max(0, used - overheadTotal);
  const netUsage = used > startup ? used - startup : 1;
  return {
    used,
    rss: mu.rss,
    peak,
    startup,
    clientsNormal,
    overheadTotal,
    dataset,
    datasetPerc: (dataset * 100) / netUsage,
    peakPerc: peak > 0 ? (used * 100) / peak : 0,
    totalKeys,
    bytesPerKey: totalKeys > 0 ? Math.floor(netUsage / totalKeys) : 0,
    allocatorAllocated: used,
    allocatorActive: Math.max(used, mu.heapTotal + mu.external + shards.heapUsed),
    allocatorResident: mu.rss,
    dbs,
  };
}

/** bytesToHuman */
export function bytesToHuman(n: number): string {
  if (n < 1024) return `${n}B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(2)}K`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(2)}M`;
  if (n < 1024 ** 4) return `${(n / 1024 ** 3).toFixed(2)}G`;
  if (n < 1024 ** 5) return `${(n / 1024 ** 4).toFixed(2)}T`;
  if (n < 1024 ** 6) return `${(n / 1024 ** 5).toFixed(2)}P`;
  return `${n}B`;
}

// ---------------------------------------------------------------- sections

/** The sections INFO gives without arguments (and with `default`). */
const DEFAULT_SECTIONS = [
  "server",
  "clients",
  "memory",
  "persistence",
  "stats",
  "replication",
  "cpu",
  "module_list",
  "errorstats",
  "cluster",
  "keyspace",
];

/** Which sections need the shards' figures. */
const SHARD_SECTIONS = new Set([
  "memory",
  "persistence",
  "stats",
  "commandstats",
  "errorstats",
  "latencystats",
  "keyspace",
]);

export interface SectionSelection {
  sections: Set<string>;
  all: boolean;
  everything: boolean;
}

/** genInfoSectionDict: the section names asked for, lowercased; `all`/`everything`/`default`. */
export function selectSections(args: readonly string[]): SectionSelection {
  const sel: SectionSelection = { sections: new Set(), all: false, everything: false };
  if (args.length === 0) {
    for (const s of DEFAULT_SECTIONS) sel.sections.add(s);
    return sel;
  }
  for (const a of args) {
    const s = a.toLowerCase();
    if (s === "all") sel.all = true;
    else if (s === "everything") sel.everything = sel.all = true;
    else if (s === "default") for (const d of DEFAULT_SECTIONS) sel.sections.add(d);
    else sel.sections.add(s);
  }
  return sel;
}

export function selectionNeedsShards(sel: SectionSelection): boolean {
  if (sel.all) return true;
  for (const s of sel.sections) if (SHARD_SECTIONS.has(s)) return true;
  return false;
}

/** Seconds with microseconds, as `%ld.%06ld` of a timeval. */
function cpuSeconds(usec: number): string {
  const s = Math.floor(usec / 1e6);
  return `${s}.${String(Math.floor(usec - s * 1e6)).padStart(6, "0")}`;
}

function yesNo01(v: string): number {
  return v === "yes" ? 1 : 0;
}

/** The shardis entry point, as Redis reports the absolute path of its executable. */
function executablePath(): string {
  const script = process.argv[1];
  return script !== undefined ? path.resolve(script) : process.execPath;
}

const ZERO_REPLID = "0".repeat(40);

/**
 * genRedisInfoString. `shards` may be undefined when no selected section needs them.
 * Fields keep Redis 7.0.15's names and order; the ones about machinery shardis does not
 * have (fork, AOF rewrite, replication backlog, active defrag, Lua) stay at their idle
 * values. `shards:N` in Server is shardis's own.
 */
export function genInfoString(server: Server, sel: SectionSelection, shards: MergedShardStats | undefined): string {
  const { sections, all } = sel;
  const has = (name: string): boolean => all || sections.has(name);
  const config = server.config;
  const obs = server.observe;
  const empty = emptyMergedStats(0);
  const sh = shards ?? empty;
  const out: string[] = [];
  const section = (title: string, fields: Array<[string, string | number]>): void => {
    let s = `# ${title}\r\n`;
    for (const [k, v] of fields) s += `${k}:${v}\r\n`;
    out.push(s);
  };
  const nowMs = Date.now();

  if (has("server")) {
    const uptime = Math.floor((nowMs - server.startedAt) / 1000);
    const hz = config.getNumber("hz");
    section("Server", [
      ["redis_version", REDIS_VERSION],
      ["redis_git_sha1", "00000000"],
      ["redis_git_dirty", 0],
      ["redis_build_id", "0000000000000000"],
      ["redis_mode", config.getBool("cluster-enabled") ? "cluster" : "standalone"],
      ["os", `${os.type()} ${os.release()} ${os.machine()}`],
      ["arch_bits", process.arch.endsWith("64") ? 64 : 32],
      ["monotonic_clock", "POSIX clock_gettime"],
      ["multiplexing_api", process.platform === "linux" ? "epoll" : process.platform === "win32" ? "iocp" : "kqueue"],
      ["atomicvar_api", "c11-builtin"],
      ["gcc_version", "0.0.0"],
      ["process_id", process.pid],
      ["process_supervised", "no"],
      ["run_id", server.runId],
      ["tcp_port", server.boundPort()],
      ["server_time_usec", Math.floor((performance.timeOrigin + performance.now()) * 1000)],
      ["uptime_in_seconds", uptime],
      ["uptime_in_days", Math.floor(uptime / 86400)],
      ["hz", hz],
      ["configured_hz", hz],
      ["lru_clock", Math.floor(nowMs / 1000) & 0xffffff],
      ["executable", executablePath()],
      ["config_file", config.configFile ?? ""],
      ["io_threads_active", 0],
      ["shards", server.router.inline !== undefined ? 0 : server.router.count],
    ]);
  }

  if (has("clients")) {
    let maxOut = 0;
    for (const c of server.clients.values()) maxOut = Math.max(maxOut, c.out.length + c.socket.writableLength);
    section("Clients", [
      ["connected_clients", server.clients.size],
      ["cluster_connections", 0],
      ["maxclients", server.maxClients],
      ["client_recent_max_input_buffer", 0],
      ["client_recent_max_output_buffer", maxOut],
      ["blocked_clients", server.blocking.blockedCount],
      ["tracking_clients", 0],
      ["clients_in_timeout_table", 0],
    ]);
  }

  if (has("memory")) {
    const mh = memoryOverhead(server, sh);
    const maxmemory = config.getNumber("maxmemory");
    const totalSystem = os.totalmem();
    const ratio = (a: number, b: number): string => (b > 0 ? a / b : 0).toFixed(2);
    section("Memory", [
      ["used_memory", mh.used],
      ["used_memory_human", bytesToHuman(mh.used)],
      ["used_memory_rss", mh.rss],
      ["used_memory_rss_human", bytesToHuman(mh.rss)],
      ["used_memory_peak", mh.peak],
      ["used_memory_peak_human", bytesToHuman(mh.peak)],
      ["used_memory_peak_perc", `${mh.peakPerc.toFixed(2)}%`],
      ["used_memory_overhead", mh.overheadTotal],
      ["used_memory_startup", mh.startup],
      ["used_memory_dataset", mh.dataset],
      ["used_memory_dataset_perc", `${mh.datasetPerc.toFixed(2)}%`],
      ["allocator_allocated", mh.allocatorAllocated],
      ["allocator_active", mh.allocatorActive],
      ["allocator_resident", mh.allocatorResident],
      ["total_system_memory", totalSystem],
      ["total_system_memory_human", bytesToHuman(totalSystem)],
      ["used_memory_lua", 0],
      ["used_memory_vm_eval", 0],
      ["used_memory_lua_human", "0B"],
      ["used_memory_scripts_eval", 0],
      ["number_of_cached_scripts", 0],
      ["number_of_functions", 0],
      ["number_of_libraries", 0],
      ["used_memory_vm_functions", 0],
      ["used_memory_vm_total", 0],
      ["used_memory_vm_total_human", "0B"],
      ["used_memory_functions", 0],
      ["used_memory_scripts", 0],
      ["used_memory_scripts_human", "0B"],
      ["maxmemory", maxmemory],
      ["maxmemory_human", bytesToHuman(maxmemory)],
      ["maxmemory_policy", config.getString("maxmemory-policy")],
      ["allocator_frag_ratio", ratio(mh.allocatorActive, mh.allocatorAllocated)],
      ["allocator_frag_bytes", Math.max(0, mh.allocatorActive - mh.allocatorAllocated)],
      ["allocator_rss_ratio", ratio(mh.allocatorResident, mh.allocatorActive)],
      ["allocator_rss_bytes", Math.max(0, mh.allocatorResident - mh.allocatorActive)],
      ["rss_overhead_ratio", ratio(mh.rss, mh.allocatorResident)],
      ["rss_overhead_bytes", Math.max(0, mh.rss - mh.allocatorResident)],
      ["mem_fragmentation_ratio", ratio(mh.rss, mh.used)],
      ["mem_fragmentation_bytes", Math.max(0, mh.rss - mh.used)],
      ["mem_not_counted_for_evict", 0],
      ["mem_replication_backlog", 0],
      ["mem_total_replication_buffers", 0],
      ["mem_clients_slaves", 0],
      ["mem_clients_normal", mh.clientsNormal],
      ["mem_cluster_links", 0],
      ["mem_aof_buffer", 0],
      ["mem_allocator", `v8-${process.versions.v8}`],
      ["active_defrag_running", 0],
      ["lazyfree_pending_objects", 0],
      ["lazyfreed_objects", 0],
    ]);
  }

  if (has("persistence")) {
    section("Persistence", [
      ["loading", 0],
      ["async_loading", 0],
      ["current_cow_peak", 0],
      ["current_cow_size", 0],
      ["current_cow_size_age", 0],
      ["current_fork_perc", "0.00"],
      ["current_save_keys_processed", 0],
      ["current_save_keys_total", 0],
      ["rdb_changes_since_last_save", sh.dirty],
      ["rdb_bgsave_in_progress", 0],
      ["rdb_last_save_time", server.lastSave],
      ["rdb_last_bgsave_status", "ok"],
      ["rdb_last_bgsave_time_sec", -1],
      ["rdb_current_bgsave_time_sec", -1],
      ["rdb_saves", 0],
      ["rdb_last_cow_size", 0],
      ["rdb_last_load_keys_expired", 0],
      ["rdb_last_load_keys_loaded", 0],
      ["aof_enabled", yesNo01(config.getString("appendonly"))],
      ["aof_rewrite_in_progress", 0],
      ["aof_rewrite_scheduled", 0],
      ["aof_last_rewrite_time_sec", -1],
      ["aof_current_rewrite_time_sec", -1],
      ["aof_last_bgrewrite_status", "ok"],
      ["aof_rewrites", 0],
      ["aof_rewrites_consecutive_failures", 0],
      ["aof_last_write_status", "ok"],
      ["aof_last_cow_size", 0],
      ["module_fork_in_progress", 0],
      ["module_fork_last_cow_size", 0],
    ]);
  }

  if (has("stats")) {
    const st = server.stats;
    let errorReplies = obs.totalErrorReplies;
    for (const n of sh.errors.values()) errorReplies += n;
    section("Stats", [
      ["total_connections_received", st.connectionsReceived],
      ["total_commands_processed", st.commandsProcessed],
      ["instantaneous_ops_per_sec", obs.instOps.value()],
      ["total_net_input_bytes", st.netInputBytes],
      ["total_net_output_bytes", st.netOutputBytes],
      ["total_net_repl_input_bytes", 0],
      ["total_net_repl_output_bytes", 0],
      ["instantaneous_input_kbps", (obs.instNetInput.value() / 1024).toFixed(2)],
      ["instantaneous_output_kbps", (obs.instNetOutput.value() / 1024).toFixed(2)],
      ["instantaneous_input_repl_kbps", "0.00"],
      ["instantaneous_output_repl_kbps", "0.00"],
      ["rejected_connections", st.rejectedConnections],
      ["sync_full", 0],
      ["sync_partial_ok", 0],
      ["sync_partial_err", 0],
      ["expired_keys", sh.expiredKeys],
      ["expired_stale_perc", sh.expiredStalePerc.toFixed(2)],
      ["expired_time_cap_reached_count", 0],
      ["expire_cycle_cpu_milliseconds", 0],
      ["evicted_keys", 0],
      ["evicted_clients", 0],
      ["total_eviction_exceeded_time", 0],
      ["current_eviction_exceeded_time", 0],
      ["keyspace_hits", sh.keyspaceHits],
      ["keyspace_misses", sh.keyspaceMisses],
      ["pubsub_channels", server.pubsub.channels.size],
      ["pubsub_patterns", server.pubsub.patterns.size],
      ["pubsubshard_channels", server.pubsub.shardChannels.size],
      ["latest_fork_usec", 0],
      ["total_forks", 0],
      ["migrate_cached_sockets", 0],
      ["slave_expires_tracked_keys", 0],
      ["active_defrag_hits", 0],
      ["active_defrag_misses", 0],
      ["active_defrag_key_hits", 0],
      ["active_defrag_key_misses", 0],
      ["total_active_defrag_time", 0],
      ["current_active_defrag_time", 0],
      ["tracking_total_keys", 0],
      ["tracking_total_items", 0],
      ["tracking_total_prefixes", 0],
      ["unexpected_error_replies", 0],
      ["total_error_replies", errorReplies],
      ["dump_payload_sanitizations", 0],
      ["total_reads_processed", 0],
      ["total_writes_processed", 0],
      ["io_threaded_reads_processed", 0],
      ["io_threaded_writes_processed", 0],
      ["reply_buffer_shrinks", 0],
      ["reply_buffer_expands", 0],
    ]);
  }

  if (has("replication")) {
    section("Replication", [
      ["role", "master"],
      ["connected_slaves", 0],
      ["master_failover_state", "no-failover"],
      ["master_replid", obs.replid],
      ["master_replid2", ZERO_REPLID],
      ["master_repl_offset", 0],
      ["second_repl_offset", -1],
      ["repl_backlog_active", 0],
      ["repl_backlog_size", config.getNumber("repl-backlog-size")],
      ["repl_backlog_first_byte_offset", 0],
      ["repl_backlog_histlen", 0],
    ]);
  }

  if (has("cpu")) {
    // Node 20 has no per-thread CPU clock: the main-thread figures are the process's.
    const cpu = cpuUsage();
    section("CPU", [
      ["used_cpu_sys", cpuSeconds(cpu.system)],
      ["used_cpu_user", cpuSeconds(cpu.user)],
      ["used_cpu_sys_children", "0.000000"],
      ["used_cpu_user_children", "0.000000"],
      ["used_cpu_sys_main_thread", cpuSeconds(cpu.system)],
      ["used_cpu_user_main_thread", cpuSeconds(cpu.user)],
    ]);
  }

  if (all || sections.has("module_list") || sections.has("modules")) section("Modules", []);

  if (has("commandstats")) {
    const stats = mergedCommandStats(server, sh);
    const fields: Array<[string, string]> = [];
    for (const spec of allSpecs()) {
      const st = stats.get(spec.name);
      if (st === undefined || (st.calls === 0 && st.failed === 0 && st.rejected === 0)) continue;
      const usec = Math.floor(st.usec);
      const perCall = st.calls === 0 ? 0 : usec / st.calls;
      fields.push([
        `cmdstat_${spec.name}`,
        `calls=${st.calls},usec=${usec},usec_per_call=${perCall.toFixed(2)},rejected_calls=${st.rejected},failed_calls=${st.failed}`,
      ]);
    }
    section("Commandstats", fields);
  }

  if (has("errorstats")) {
    const errors = new Map(obs.errors);
    for (const [code, n] of sh.errors) errors.set(code, (errors.get(code) ?? 0) + n);
    section(
      "Errorstats",
      [...errors].map(([code, n]) => [`errorstat_${code}`, `count=${n}`]),
    );
  }

  if (has("latencystats")) {
    const fields: Array<[string, string]> = [];
    if (config.getBool("latency-tracking")) {
      const hists = mergedHistograms(server, shards);
      const percentiles = config.getPercentiles();
      for (const spec of allSpecs()) {
        const h = hists.get(spec.name);
        if (h === undefined || h.total === 0) continue;
        const parts = percentiles.map((p) => `p${formatPercentile(p)}=${(h.valueAtPercentile(p) / 1000).toFixed(3)}`);
        fields.push([`latency_percentiles_usec_${spec.name}`, parts.join(",")]);
      }
    }
    section("Latencystats", fields);
  }

  if (has("cluster")) section("Cluster", [["cluster_enabled", config.getBool("cluster-enabled") ? 1 : 0]]);

  if (has("keyspace")) {
    const fields: Array<[string, string]> = [];
    sh.keyspace.forEach((db, i) => {
      if (db.keys > 0) fields.push([`db${i}`, `keys=${db.keys},expires=${db.expires},avg_ttl=${db.avgTtl}`]);
    });
    section("Keyspace", fields);
  }

  return out.join("\r\n");
}
