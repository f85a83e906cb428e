import { enumValue, integer } from './gtfs-values.ts';
import type { LegRules } from './read-leg-rules.ts';
import type { Products } from './read-products.ts';
import { type BundleTables, checked, requiredValue, uniqueKeys } from './tables.ts';

/** fare_transfer_type: 0 A + AB, 1 A + AB + B, 2 AB. */
export type FareTransferType = 0 | 1 | 2;

/** A fare_transfer_rules.txt record. Null fields were empty. */
export interface TransferRule {
  readonly line: number;
  readonly fromLegGroupId: string | null;
  readonly toLegGroupId: string | null;
  /** -1: no limit; null: not given (only when from and to leg groups differ). */
  readonly transferCount: number | null;
  /** Seconds from the first boarding of the transfer sub-journey to this boarding; null: no limit. */
  readonly durationLimit: number | null;
  readonly type: FareTransferType;
  /** Null: "If empty, the cost of the transfer rule is 0." */
  readonly productId: string | null;
}

/** Reads fare_transfer_rules.txt, refusing duration limits measured to or from an alighting. */
export function readTransferRules(tables: BundleTables, legs: LegRules, products: Products): readonly TransferRule[] {
  const problems = tables.problems;
  const table = tables.get('fare_transfer_rules.txt');
  uniqueKeys(table, ['from_leg_group_id', 'to_leg_group_id', 'fare_product_id', 'transfer_count', 'duration_limit'], problems);
  const groups = new Set(legs.rules.map((r) => r.legGroupId));
  const rules: TransferRule[] = [];
  for (const r of table.records) {
    const at = (message: string): void => problems.add(table.file, r.line, message);
    const fromLegGroupId = r.get('from_leg_group_id') || null;
    const toLegGroupId = r.get('to_leg_group_id') || null;
    if (fromLegGroupId !== null && !groups.has(fromLegGroupId)) at(`from_leg_group_id ${fromLegGroupId} is not a leg_group_id in fare_leg_rules.txt`);
    if (toLegGroupId !== null && !groups.has(toLegGroupId)) at(`to_leg_group_id ${toLegGroupId} is not a leg_group_id in fare_leg_rules.txt`);

    // transfer_count: "Forbidden if from_leg_group_id does not equal to_leg_group_id. Required if [it] equals".
    const countText = r.get('transfer_count');
    let transferCount: number | null = null;
    let countOk = true;
    if (fromLegGroupId !== toLegGroupId) {
      if (countText !== '') {
        at('transfer_count must be empty when from_leg_group_id and to_leg_group_id differ');
        countOk = false;
      }
    } else if (countText === '') {
      at('transfer_count is required when from_leg_group_id equals to_leg_group_id (-1 for no limit)');
      countOk = false;
    } else {
      transferCount = checked(table, r, 'transfer_count', integer(countText, -1), problems);
      if (transferCount === 0) {
        at('transfer_count must not be 0 (-1 for no limit, or 1 or more)');
        transferCount = null;
      }
      countOk = transferCount !== null;
    }

    const limitText = r.get('duration_limit');
    const limitTypeText = r.get('duration_limit_type');
    const durationLimit = limitText === '' ? null : checked(table, r, 'duration_limit', integer(limitText, 1), problems);
    let limitOk = limitText === '' || durationLimit !== null;
    if (limitText === '' && limitTypeText !== '') {
      at('duration_limit_type must be empty when duration_limit is');
      limitOk = false;
    } else if (limitText !== '' && limitTypeText === '') {
      at('duration_limit_type is required with duration_limit');
      limitOk = false;
    } else if (limitTypeText !== '') {
      const limitType = checked(table, r, 'duration_limit_type', enumValue(limitTypeText, [0, 1, 2, 3] as const), problems);
      if (limitType !== null && limitType !== 1) {
        at(
          `duration_limit_type ${limitType} is refused: it measures to or from an arrival, which a validator at the boarding door never sees; use 1 (departure to departure)`,
        );
      }
      limitOk &&= limitType === 1;
    }

    const typeText = requiredValue(table, r, 'fare_transfer_type', problems);
    const type = typeText === null ? null : checked(table, r, 'fare_transfer_type', enumValue(typeText, [0, 1, 2] as const), problems);
    const productId = r.get('fare_product_id') || null;
    if (productId !== null && !products.declared.has(productId)) at(`fare_product_id ${productId} is not in fare_products.txt`);
    if (type === null || !countOk || !limitOk) continue;
    rules.push({ line: r.line, fromLegGroupId, toLegGroupId, transferCount, durationLimit, type, productId });
  }
  return rules;
}
