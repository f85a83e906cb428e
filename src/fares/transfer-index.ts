import type { TransferRule } from './read-transfer-rules.ts';

const EMPTY = '';

/**
 * fare_transfer_rules.txt indexed by from_leg_group_id, then to_leg_group_id. As in fare_leg_rules.txt without
 * rule_priority, an empty entry "corresponds to all leg groups ... excluding the ones listed under" its column:
 * a leg group some rule lists looks up only its own key, any other only the empty key.
 */
export class TransferIndex {
  private readonly rules = new Map<string, Map<string, TransferRule[]>>();
  private readonly listedFrom: ReadonlySet<string>;
  private readonly listedTo: ReadonlySet<string>;

  constructor(readonly all: readonly TransferRule[]) {
    for (const rule of all) {
      const byTo = this.rules.get(rule.fromLegGroupId ?? EMPTY) ?? new Map<string, TransferRule[]>();
      this.rules.set(rule.fromLegGroupId ?? EMPTY, byTo);
      const list = byTo.get(rule.toLegGroupId ?? EMPTY) ?? [];
      byTo.set(rule.toLegGroupId ?? EMPTY, list);
      list.push(rule);
    }
    this.listedFrom = new Set(all.flatMap((r) => (r.fromLegGroupId === null ? [] : [r.fromLegGroupId])));
    this.listedTo = new Set(all.flatMap((r) => (r.toLegGroupId === null ? [] : [r.toLegGroupId])));
  }

  /** The rules for a transfer from a leg of group `from` to a leg of group `to`; none: "the legs are considered separate". */
  match(from: string, to: string): readonly TransferRule[] {
    const byTo = this.rules.get(this.listedFrom.has(from) ? from : EMPTY);
    return byTo?.get(this.listedTo.has(to) ? to : EMPTY) ?? [];
  }
}
