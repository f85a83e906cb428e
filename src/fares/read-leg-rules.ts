import { integer } from './gtfs-values.ts';
import type { Places } from './read-places.ts';
import type { Products } from './read-products.ts';
import { type BundleTables, checked, requiredValue, uniqueKeys } from './tables.ts';
import type { Timeframes } from './timeframes.ts';

/** A fare_leg_rules.txt record, reduced to what a boarding can be matched on. Null fields were empty. */
export interface LegRule {
  readonly line: number;
  readonly legGroupId: string | null;
  readonly networkId: string | null;
  readonly fromAreaId: string | null;
  readonly fromTimeframeGroupId: string | null;
  readonly productId: string;
  /** "An empty value for rule_priority is treated as zero." */
  readonly priority: number;
}

export interface LegRules {
  readonly rules: readonly LegRule[];
  /**
   * Whether the rule_priority column exists. It decides what an empty network_id or from_area_id means:
   * with it, "does not affect the matching"; without it, "all ... excluding the ones listed" (fare_leg_rules.txt).
   */
  readonly priorityMode: boolean;
}

const TAP_ON =
  'the validator knows where a rider boards, not where they get off: rules on the arrival side cannot be applied at the boarding door';

/** Reads fare_leg_rules.txt, refusing what a tap-on validator cannot decide. */
export function readLegRules(tables: BundleTables, places: Places, products: Products, timeframes: Timeframes): LegRules {
  const problems = tables.problems;
  const table = tables.get('fare_leg_rules.txt');
  // The primary key; leg_group_id is outside it, so this also finds "the same entry ... in multiple leg_group_id".
  uniqueKeys(table, ['network_id', 'from_area_id', 'to_area_id', 'from_timeframe_group_id', 'to_timeframe_group_id', 'fare_product_id'], problems);
  const rules: LegRule[] = [];
  for (const r of table.records) {
    const at = (message: string): void => problems.add(table.file, r.line, message);
    const productId = requiredValue(table, r, 'fare_product_id', problems);
    const prices = productId === null ? undefined : products.prices.get(productId);
    if (productId !== null && !products.declared.has(productId)) at(`fare_product_id ${productId} is not in fare_products.txt`);
    for (const p of prices ?? []) {
      if (p.amount < 0) at(`fare product ${p.productId} costs ${p.amount} (fare_products.txt:${p.line}): a leg cannot cost less than nothing`);
    }
    const networkId = r.get('network_id') || null;
    if (networkId !== null && !places.networks.has(networkId)) at(`network_id ${networkId} is not in networks.txt`);
    const fromAreaId = r.get('from_area_id') || null;
    if (fromAreaId !== null && !places.areas.has(fromAreaId)) at(`from_area_id ${fromAreaId} is not in areas.txt`);
    const fromTimeframeGroupId = r.get('from_timeframe_group_id') || null;
    if (fromTimeframeGroupId !== null && !timeframes.has(fromTimeframeGroupId)) {
      at(`from_timeframe_group_id ${fromTimeframeGroupId} is not a timeframe_group_id in timeframes.txt`);
    }
    if (r.get('to_area_id') !== '') at(`to_area_id ${r.get('to_area_id')} is refused: ${TAP_ON}`);
    if (r.get('to_timeframe_group_id') !== '') at(`to_timeframe_group_id ${r.get('to_timeframe_group_id')} is refused: ${TAP_ON}`);
    const priorityText = r.get('rule_priority');
    const priority = priorityText === '' ? 0 : checked(table, r, 'rule_priority', integer(priorityText, 0), problems);
    if (productId === null || priority === null) continue;
    rules.push({ line: r.line, legGroupId: r.get('leg_group_id') || null, networkId, fromAreaId, fromTimeframeGroupId, productId, priority });
  }
  return { rules, priorityMode: table.columns.has('rule_priority') };
}
