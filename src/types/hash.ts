/*
 * The hash type (t_hash.c): fields and values are latin1 byte strings in a JS Map.
 *
 * Encodings, as Redis 7.0:
 *  1. `listpack` while the hash has at most hash-max-listpack-entries fields and no field
 *     or value longer than hash-max-listpack-value bytes. A listpack keeps insertion
 *     order (an update stays in place), which is exactly a Map's order, so HGETALL, HKEYS,
 *     HSCAN, ... answer in Redis's order for this encoding.
 *  2. `hashtable` otherwise. The conversion is one-way (hashTypeConvert).
 */
import { type Collection, type EngineSettings, registerValueType } from "../shards/engine.js";
import { decodeStrings, randomPick, type ScanIndex } from "./set.js";

export class HashValue implements Collection {
  readonly type = "hash";
  readonly map = new Map<string, string>();
  /** the encoding: listpack (true) or hashtable; one-way */
  listpack = true;
  /** HSCAN index over the hashtable encoding, while a scan is running */
  scanIndex: ScanIndex | undefined;
  /** see randomPick */
  randomCache: string[] | undefined;

  static load(payload: string): HashValue {
    const h = new HashValue();
    h.listpack = payload.charCodeAt(0) === 76; // 'L'
    const items = decodeStrings(payload, 1);
    for (let i = 0; i + 1 < items.length; i += 2) h.map.set(items[i], items[i + 1]);
    return h;
  }

  encoding(_settings: EngineSettings): string {
    return this.listpack ? "listpack" : "hashtable";
  }

  serialize(): string {
    let out = this.listpack ? "L" : "H";
    for (const [f, v] of this.map) out += `${f.length}:${f}${v.length}:${v}`;
    return out;
  }

  memoryUsage(_samples: number): number {
    let bytes = this.listpack ? 7 : 64 + this.map.size * 40;
    for (const [f, v] of this.map) bytes += f.length + v.length + (this.listpack ? 4 : 18);
    return bytes;
  }

  get size(): number {
    return this.map.size;
  }

  get(field: string): string | undefined {
    return this.map.get(field);
  }

  /**
   * hashTypeTryConversion: a listpack hash becomes a hashtable before an insertion when
   * any of the arguments about to be written is longer than hash-max-listpack-value.
   */
  tryConversion(args: readonly string[], from: number, to: number, settings: EngineSettings): void {
    if (!this.listpack) return;
    const max = settings["hash-max-listpack-value"];
    for (let i = from; i <= to; i++) {
      if (args[i].length > max) {
        this.listpack = false;
        return;
      }
    }
  }

  /**
   * hashTypeSet: true when the field is new. On a listpack, a field or value longer than
   * hash-max-listpack-value converts first; more than hash-max-listpack-entries fields
   * after the write converts too (also when an existing field was only updated).
   */
  set(field: string, value: string, settings: EngineSettings): boolean {
    if (this.listpack) {
      const max = settings["hash-max-listpack-value"];
      if (field.length > max || value.length > max) this.listpack = false;
    }
    const isNew = !this.map.has(field);
    this.map.set(field, value);
    if (this.listpack && this.map.size > settings["hash-max-listpack-entries"]) this.listpack = false;
    if (isNew) {
      if (this.scanIndex !== undefined && !this.scanIndex.added(field)) this.scanIndex = undefined;
      this.randomCache = undefined;
    }
    return isNew;
  }

  delete(field: string): boolean {
    return this.map.delete(field);
  }

  /** A uniformly random field (the hash is not empty). */
  randomField(): string {
    return randomPick(this, this.map);
  }
}

registerValueType("hash", (payload) => HashValue.load(payload));
