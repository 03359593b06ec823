/*
 * Latency observation, as Redis 7.0 does it in two independent places:
 *
 *  1. Per-command latency histograms (server.c, `latency-tracking`): every call's duration
 *     goes into an HDR histogram (1 ns .. 1 s, 2 significant digits). INFO latencystats
 *     prints percentiles of it, LATENCY HISTOGRAM a cumulative distribution.
 *  2. The latency monitor (latency.c, `latency-monitor-threshold`): named events ("command",
 *     "fast-command", ...) whose duration reached the threshold are kept as a ring of 160
 *     per-second samples; LATENCY LATEST/HISTORY/GRAPH/DOCTOR/RESET read it.
 *
 * The histogram is a port of the behaviour of hdr_histogram's bucket layout (not its code):
 * the same indexes give the same "highest equivalent values", so the numbers INFO and
 * LATENCY HISTOGRAM print have the same granularity as Redis's (e.g. the bucket keys
 * 1, 2, 4, 8, 16, 33, 66, ... usec).
 */

// ---------------------------------------------------------------- HDR-style histogram

/** LATENCY_HISTOGRAM_MIN_VALUE / MAX_VALUE (ns) and the precision Redis creates it with. */
const HIST_MIN = 1;
const HIST_MAX = 1_000_000_000;
/* With 2 significant figures: sub_bucket_count = 2^ceil(log2(2 * 10^2)) = 256. */
const SUB_BUCKET_COUNT = 256;
const SUB_BUCKET_HALF_COUNT = 128;
const SUB_BUCKET_HALF_COUNT_MAGNITUDE = 7;
const SUB_BUCKET_MASK = SUB_BUCKET_COUNT - 1;

function bucketsNeeded(value: number): number {
  let smallestUntrackable = SUB_BUCKET_COUNT;
  let n = 1;
  while (smallestUntrackable <= value) {
    smallestUntrackable *= 2;
    n++;
  }
  return n;
}

const BUCKET_COUNT = bucketsNeeded(HIST_MAX);
const COUNTS_LEN = (BUCKET_COUNT + 1) * SUB_BUCKET_HALF_COUNT;

/* Values never exceed 2^30 here, so 32-bit integer arithmetic is exact. */
function bucketIndex(v: number): number {
  const pow2ceiling = 32 - Math.clz32(v | SUB_BUCKET_MASK);
  return pow2ceiling - (SUB_BUCKET_HALF_COUNT_MAGNITUDE + 1);
}

function countsIndexOf(v: number): number {
  const b = bucketIndex(v);
  const sub = v >>> b;
  return ((b + 1) << SUB_BUCKET_HALF_COUNT_MAGNITUDE) + (sub - SUB_BUCKET_HALF_COUNT);
}

function valueAtIndex(index: number): number {
  let b = (index >> SUB_BUCKET_HALF_COUNT_MAGNITUDE) - 1;
  let sub = (index & (SUB_BUCKET_HALF_COUNT - 1)) + SUB_BUCKET_HALF_COUNT;
  if (b < 0) {
    sub -= SUB_BUCKET_HALF_COUNT;
    b = 0;
  }
  return sub * 2 ** b;
}

function lowestEquivalent(v: number): number {
  const b = bucketIndex(v);
  return (v >>> b) * 2 ** b;
}

function highestEquivalent(v: number): number {
  const b = bucketIndex(v);
  const sub = v >>> b;
  const size = 2 ** (sub >= SUB_BUCKET_COUNT ? b + 1 : b);
  return sub * 2 ** b + size - 1;
}

/** A latency histogram in nanoseconds, with hdr_histogram's buckets. */
export class LatencyHistogram {
  private readonly counts = new Float64Array(COUNTS_LEN);
  total = 0;

  /** Records one duration; like Redis it is clamped to [1 ns, 1 s]. */
  record(ns: number): void {
    let v = Math.round(ns);
    if (v < HIST_MIN) v = HIST_MIN;
    else if (v > HIST_MAX) v = HIST_MAX;
    this.counts[countsIndexOf(v)]++;
    this.total++;
  }

  /** hdr_value_at_percentile: the highest value equivalent to the p-th percentile's. */
  valueAtPercentile(p: number): number {
    if (this.total === 0) return 0;
    const req = Math.min(p, 100);
    const want = Math.max(1, Math.floor((req / 100) * this.total + 0.5));
    let seen = 0;
    for (let i = 0; i < COUNTS_LEN; i++) {
      seen += this.counts[i];
      if (seen >= want) {
        const v = valueAtIndex(i);
        return p === 0 ? lowestEquivalent(v) : highestEquivalent(v);
      }
    }
    return 0;
  }

  /**
   * fillCommandCDF: hdr's logarithmic iterator (first bucket 1024 ns, base 2) as Redis
   * reports it: for each level the usec of the highest value equivalent to the level, and
   * the cumulative count up to and including the level's own bucket; levels that add
   * nothing are skipped.
   */
  cdf(): Array<[usec: number, cumulative: number]> {
    const out: Array<[number, number]> = [];
    if (this.total === 0) return out;
    let idx = 0;
    let cumulative = 0;
    let previous = 0;
    for (let level = 1024; level <= HIST_MAX * 2; level *= 2) {
      const li = countsIndexOf(Math.min(level, 2 ** 31 - 1));
      const upto = Math.min(li, COUNTS_LEN - 1);
      for (; idx <= upto; idx++) cumulative += this.counts[idx];
      if (cumulative > previous) out.push([Math.floor(highestEquivalent(valueAtIndex(upto)) / 1000), cumulative]);
      previous = cumulative;
      if (cumulative >= this.total) break;
    }
    return out;
  }

  /** Non-zero buckets as [index, count] pairs: what a shard would send to be merged. */
  toSparse(): Array<[number, number]> {
    const out: Array<[number, number]> = [];
    for (let i = 0; i < COUNTS_LEN; i++) if (this.counts[i] !== 0) out.push([i, this.counts[i]]);
    return out;
  }

  addSparse(pairs: ReadonlyArray<readonly [number, number]>): void {
    for (const [i, n] of pairs) {
      if (i < 0 || i >= COUNTS_LEN) continue;
      this.counts[i] += n;
      this.total += n;
    }
  }

  merge(other: LatencyHistogram): void {
    for (let i = 0; i < COUNTS_LEN; i++) this.counts[i] += other.counts[i];
    this.total += other.total;
  }
}

// ---------------------------------------------------------------- the latency monitor

/** LATENCY_TS_LEN: samples kept per event, at most one per second. */
const LATENCY_TS_LEN = 160;

interface Sample {
  time: number;
  latency: number;
}

class TimeSeries {
  idx = 0;
  max = 0;
  readonly samples: Sample[] = Array.from({ length: LATENCY_TS_LEN }, () => ({ time: 0, latency: 0 }));
}

export interface LatencyDoctorEnv {
  threshold: number;
  slowlogLogSlowerThan: number;
  hz: number;
  appendfsyncAlways: boolean;
  /** AnonHugePages of the process (THPGetAnonHugePagesSize) */
  anonHugePages: number;
}

export class LatencyMonitor {
  /** Event name -> time series, in creation order (Redis iterates a dict). */
  readonly events = new Map<string, TimeSeries>();

  /** latencyAddSample: keeps the worst latency of each second. */
  addSample(event: string, ms: number, nowSec = Math.floor(Date.now() / 1000)): void {
    let ts = this.events.get(event);
    if (ts === undefined) {
      ts = new TimeSeries();
      this.events.set(event, ts);
    }
    if (ms > ts.max) ts.max = ms;
    const prev = ts.samples[(ts.idx + LATENCY_TS_LEN - 1) % LATENCY_TS_LEN];
    if (prev.time === nowSec) {
      if (ms > prev.latency) prev.latency = ms;
      return;
    }
    ts.samples[ts.idx] = { time: nowSec, latency: ms };
    ts.idx = (ts.idx + 1) % LATENCY_TS_LEN;
  }

  /** latencyResetEvent: event names compare case-insensitively here (strcasecmp). */
  reset(event?: string): number {
    let n = 0;
    const lower = event?.toLowerCase();
    for (const name of [...this.events.keys()]) {
      if (lower === undefined || name.toLowerCase() === lower) {
        this.events.delete(name);
        n++;
      }
    }
    return n;
  }

  /** [event, time of the latest sample, its latency, all-time max] per event. */
  latest(): Array<[string, number, number, number]> {
    const out: Array<[string, number, number, number]> = [];
    for (const [name, ts] of this.events) {
      const last = ts.samples[(ts.idx + LATENCY_TS_LEN - 1) % LATENCY_TS_LEN];
      out.push([name, last.time, last.latency, ts.max]);
    }
    return out;
  }

  /** The samples of an event, oldest first; undefined when the event is unknown (case-sensitive). */
  history(event: string): Array<[number, number]> | undefined {
    const ts = this.events.get(event);
    if (ts === undefined) return undefined;
    const out: Array<[number, number]> = [];
    for (let j = 0; j < LATENCY_TS_LEN; j++) {
      const s = ts.samples[(ts.idx + j) % LATENCY_TS_LEN];
      if (s.time !== 0) out.push([s.time, s.latency]);
    }
    return out;
  }

  /** latencyCommandGenSparkeline; undefined when the event is unknown. */
  graph(event: string, nowSec = Math.floor(Date.now() / 1000)): string | undefined {
    const ts = this.events.get(event);
    if (ts === undefined) return undefined;
    const seq: Array<{ value: number; label: string }> = [];
    let min = 0;
    let max = 0;
    for (const [time, latency] of this.history(event) ?? []) {
      if (seq.length === 0) min = max = latency;
      else {
        if (latency > max) max = latency;
        if (latency < min) min = latency;
      }
      const elapsed = nowSec - time;
      const label =
        elapsed < 60
          ? `${elapsed}s`
          : elapsed < 3600
            ? `${Math.floor(elapsed / 60)}m`
            : elapsed < 86400
              ? `${Math.floor(elapsed / 3600)}h`
              : `${Math.floor(elapsed / 86400)}d`;
      seq.push({ value: latency, label });
    }
    let out = `${event} - high ${max} ms, low ${min} ms (all time high ${ts.max} ms)\n`;
    out += `${"-".repeat(GRAPH_COLS)}\n`;
    return out + sparklineRender(seq, GRAPH_COLS, 4);
  }

  /** createLatencyReport (LATENCY DOCTOR). */
  doctor(env: LatencyDoctorEnv, nowSec = Math.floor(Date.now() / 1000)): string {
    if (this.events.size === 0 && env.threshold === 0) {
      return "I'm sorry, Dave, I can't do that. Latency monitoring is disabled in this Redis instance. You may use \"CONFIG SET latency-monitor-threshold <milliseconds>.\" in order to enable it. If we weren't in a deep space mission I'd suggest to take a look at https://redis.io/topics/latency-monitor.\n";
    }
    const a = {
      slowlogEnabled: false,
      slowlogTuning: false,
      slowlogInspect: false,
      diskContention: false,
      scheduler: false,
      dataWriteback: false,
      noAppendfsync: false,
      localDisk: false,
      ssd: false,
      writeLoadInfo: false,
      hz: false,
      largeObjects: false,
      massEviction: false,
      relaxFsync: false,
      disableThp: false,
    };
    let advices = 0;
    let report = "";
    let eventnum = 0;
    for (const [event, ts] of this.events) {
      eventnum++;
      if (eventnum === 1)
        report +=
          "Dave, I have observed latency spikes in this Redis instance. You don't mind talking about it, do you Dave?\n\n";
      const ls = analyze(ts, nowSec);
      report += `${eventnum}. ${event}: ${ls.samples} latency spikes (average ${ls.avg}ms, mean deviation ${ls.mad}ms, period ${(ls.period / ls.samples).toFixed(2)} sec). Worst all time event ${ts.max}ms.`;
      const e = event.toLowerCase();
      if (e === "command") {
        if (env.slowlogLogSlowerThan < 0) {
          a.slowlogEnabled = true;
          advices++;
        } else if (Math.trunc(env.slowlogLogSlowerThan / 1000) > env.threshold) {
          a.slowlogTuning = true;
          advices++;
        }
        a.slowlogInspect = true;
        a.largeObjects = true;
        advices += 2;
      }
      if (e === "fast-command") {
        a.scheduler = true;
        advices++;
      }
      if (e === "aof-write-pending-fsync") {
        a.localDisk = a.diskContention = a.ssd = a.dataWriteback = true;
        advices += 4;
      }
      if (e === "aof-write-active-child") {
        a.noAppendfsync = a.dataWriteback = a.ssd = true;
        advices += 3;
      }
      if (e === "aof-write-alone") {
        a.localDisk = a.dataWriteback = a.ssd = true;
        advices += 3;
      }
      if (e === "aof-fsync-always") {
        a.relaxFsync = true;
        advices++;
      }
      if (e === "aof-fstat" || e === "rdb-unlink-temp-file") {
        a.diskContention = a.localDisk = true;
        advices += 2;
      }
      if (e === "aof-rewrite-diff-write" || e === "aof-rename") {
        a.writeLoadInfo = a.dataWriteback = a.ssd = a.localDisk = true;
        advices += 4;
      }
      if (e === "expire-cycle") {
        a.hz = a.largeObjects = true;
        advices += 2;
      }
      if (e === "eviction-del") {
        a.largeObjects = true;
        advices++;
      }
      if (e === "eviction-cycle") {
        a.massEviction = true;
        advices++;
      }
      report += "\n";
    }
    if (env.anonHugePages > 0) {
      a.disableThp = true;
      advices++;
    }
    if (eventnum === 0 && advices === 0) {
      return `${report}Dave, no latency spike was observed during the lifetime of this Redis instance, not in the slightest bit. I honestly think you ought to sit down calmly, take a stress pill, and think things over.\n`;
    }
    if (eventnum > 0 && advices === 0) {
      return `${report}\nWhile there are latency events logged, I'm not able to suggest any easy fix. Please use the Redis community to get some help, providing this report in your help request.\n`;
    }
    report += "\nI have a few advices for you:\n\n";
    const thresholdUs = env.threshold * 1000;
    if (a.slowlogEnabled) {
      report += `- There are latency issues with potentially slow commands you are using. Try to enable the Slow Log Redis feature using the command 'CONFIG SET slowlog-log-slower-than ${thresholdUs}'. If the Slow log is disabled Redis is not able to log slow commands execution for you.\n`;
    }
    if (a.slowlogTuning) {
      report += `- Your current Slow Log configuration only logs events that are slower than your configured latency monitor threshold. Please use 'CONFIG SET slowlog-log-slower-than ${thresholdUs}'.\n`;
    }
    if (a.slowlogInspect) {
      report +=
        "- Check your Slow Log to understand what are the commands you are running which are too slow to execute. Please check https://redis.io/commands/slowlog for more information.\n";
    }
    if (a.scheduler) {
      report +=
        "- The system is slow to execute Redis code paths not containing system calls. This usually means the system does not provide Redis CPU time to run for long periods. You should try to:\n" +
        "  1) Lower the system load.\n" +
        "  2) Use a computer / VM just for Redis if you are running other software in the same system.\n" +
        '  3) Check if you have a "noisy neighbour" problem.\n' +
        "  4) Check with 'redis-cli --intrinsic-latency 100' what is the intrinsic latency in your system.\n" +
        "  5) Check if the problem is allocator-related by recompiling Redis with MALLOC=libc, if you are using Jemalloc. However this may create fragmentation problems.\n";
    }
    if (a.localDisk) {
      report +=
        "- It is strongly advised to use local disks for persistence, especially if you are using AOF. Remote disks provided by platform-as-a-service providers are known to be slow.\n";
    }
    if (a.ssd) {
      report +=
        "- SSD disks are able to reduce fsync latency, and total time needed for snapshotting and AOF log rewriting (resulting in smaller memory usage and smaller final AOF rewrite buffer flushes). With extremely high write load SSD disks can be a good option. However Redis should perform reasonably with high load using normal disks. Use this advice as a last resort.\n";
    }
    if (a.dataWriteback) {
      report +=
        "- Mounting ext3/4 filesystems with data=writeback can provide a performance boost compared to data=ordered, however this mode of operation provides less guarantees, and sometimes it can happen that after a hard crash the AOF file will have a half-written command at the end and will require to be repaired before Redis restarts.\n";
    }
    if (a.diskContention) {
      report +=
        "- Try to lower the disk contention. This is often caused by other disk intensive processes running in the same computer (including other Redis instances).\n";
    }
    if (a.noAppendfsync) {
      report +=
        "- Assuming from the point of view of data safety this is viable in your environment, you could try to enable the 'no-appendfsync-on-rewrite' option, so that fsync will not be performed while there is a child rewriting the AOF file or producing an RDB file (the moment where there is high disk contention).\n";
    }
    if (a.relaxFsync && env.appendfsyncAlways) {
      report +=
        "- Your fsync policy is set to 'always'. It is very hard to get good performances with such a setup, if possible try to relax the fsync policy to 'onesec'.\n";
    }
    if (a.writeLoadInfo) {
      report +=
        "- Latency during the AOF atomic rename operation or when the final difference is flushed to the AOF file at the end of the rewrite, sometimes is caused by very high write load, causing the AOF buffer to get very large. If possible try to send less commands to accomplish the same work, or use Lua scripts to group multiple operations into a single EVALSHA call.\n";
    }
    if (a.hz && env.hz < 100) {
      report +=
        "- In order to make the Redis keys expiring process more incremental, try to set the 'hz' configuration parameter to 100 using 'CONFIG SET hz 100'.\n";
    }
    if (a.largeObjects) {
      report +=
        "- Deleting, expiring or evicting (because of maxmemory policy) large objects is a blocking operation. If you have very large objects that are often deleted, expired, or evicted, try to fragment those objects into multiple smaller objects.\n";
    }
    if (a.massEviction) {
      report +=
        "- Sudden changes to the 'maxmemory' setting via 'CONFIG SET', or allocation of large objects via sets or sorted sets intersections, STORE option of SORT, Redis Cluster large keys migrations (RESTORE command), may create sudden memory pressure forcing the server to block trying to evict keys. \n";
    }
    if (a.disableThp) {
      report +=
        "- I detected a non zero amount of anonymous huge pages used by your process. This creates very serious latency events in different conditions, especially when Redis is persisting on disk. To disable THP support use the command 'echo never > /sys/kernel/mm/transparent_hugepage/enabled', make sure to also add it into /etc/rc.local so that the command will be executed again after a reboot. Note that even if you have already disabled THP, you still need to restart the Redis process to get rid of the huge pages already created.\n";
    }
    return report;
  }
}

/** analyzeLatencyForEvent: integer average, mean absolute deviation, period in seconds. */
function analyze(ts: TimeSeries, nowSec: number): { samples: number; avg: number; mad: number; period: number } {
  let samples = 0;
  let sum = 0;
  let oldest = 0;
  for (const s of ts.samples) {
    if (s.time === 0) continue;
    samples++;
    sum += s.latency;
    if (oldest === 0 || s.time < oldest) oldest = s.time;
  }
  if (samples === 0) return { samples: 0, avg: 0, mad: 0, period: 0 };
  const avg = Math.floor(sum / samples);
  let period = nowSec - oldest;
  if (period === 0) period = 1;
  let dev = 0;
  for (const s of ts.samples) if (s.time !== 0) dev += Math.abs(avg - s.latency);
  return { samples, avg, mad: Math.floor(dev / samples), period };
}

// ---------------------------------------------------------------- sparklines (sparkline.c)

const GRAPH_COLS = 80;
const CHARSET_FILL = "_o#";
const CHARSET_LEN = 3;
const LABEL_MARGIN_TOP = 1;

/** sparklineRender with SPARKLINE_FILL, linear scale: rows of `columns` samples at most. */
function sparklineRender(seq: ReadonlyArray<{ value: number; label: string }>, columns: number, rows: number): string {
  let out = "";
  if (seq.length === 0) return out;
  let min = seq[0].value;
  let max = seq[0].value;
  for (const s of seq) {
    if (s.value < min) min = s.value;
    else if (s.value > max) max = s.value;
  }
  const labels = seq.filter((s) => s.label !== "").length;
  for (let j = 0; j < seq.length; j += columns) {
    if (j !== 0) out += "\n";
    out += renderRange(seq.slice(j, j + columns), min, max, labels, rows);
  }
  return out;
}

function renderRange(
  part: ReadonlyArray<{ value: number; label: string }>,
  min: number,
  max: number,
  labels: number,
  rows: number,
): string {
  let out = "";
  let relmax = max - min;
  if (relmax === 0) relmax = 1;
  const steps = CHARSET_LEN * rows;
  for (let row = 0; ; row++) {
    let loop = false;
    const chars: string[] = new Array(part.length).fill(" ");
    for (let j = 0; j < part.length; j++) {
      const s = part[j];
      // (int)(relval*steps)/relmax, truncated again when stored in an int
      let step = Math.trunc(Math.trunc((s.value - min) * steps) / relmax);
      if (step < 0) step = 0;
      if (step >= steps) step = steps - 1;
      if (row < rows) {
        const charidx = step - (rows - row - 1) * CHARSET_LEN;
        loop = true;
        if (charidx >= 0 && charidx < CHARSET_LEN) chars[j] = CHARSET_FILL[charidx];
        else if (charidx >= CHARSET_LEN) chars[j] = "|";
      } else {
        if (labels > 0 && row - rows < LABEL_MARGIN_TOP) {
          loop = true;
          break;
        }
        const labelChar = row - rows - LABEL_MARGIN_TOP;
        if (s.label.length > labelChar) {
          loop = true;
          chars[j] = s.label[labelChar];
        }
      }
    }
    if (!loop) break;
    out += `${chars.join("")}\n`;
  }
  return out;
}
