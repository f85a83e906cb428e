import { CARD_MAX_AMOUNT } from './card-limits.ts';
import { enumValue, wholeRials } from './gtfs-values.ts';
import { type BundleTables, checked, requiredValue, uniqueKeys } from './tables.ts';

/** fare_media_type: 0 none, 1 paper ticket, 2 physical transit card, 3 cEMV, 4 mobile app. */
export type FareMediaType = 0 | 1 | 2 | 3 | 4;

export interface FareMedium {
  readonly id: string;
  readonly name: string;
  readonly type: FareMediaType;
}

export interface RiderCategory {
  readonly id: string;
  readonly name: string;
  readonly isDefault: boolean;
}

/** One row of fare_products.txt: the price of a product for a rider category and a fare medium (null: any / unknown). */
export interface ProductPrice {
  readonly line: number;
  readonly productId: string;
  readonly name: string;
  readonly categoryId: string | null;
  readonly mediumId: string | null;
  /** Integer rials; negative only for transfer discounts. */
  readonly amount: number;
}

export interface Products {
  readonly media: ReadonlyMap<string, FareMedium>;
  readonly categories: ReadonlyMap<string, RiderCategory>;
  /** The valid rows of each fare_product_id. */
  readonly prices: ReadonlyMap<string, readonly ProductPrice[]>;
  /** Every fare_product_id in the file, valid rows or not: a bad amount is one problem, not one per rule using it. */
  readonly declared: ReadonlySet<string>;
}

/** Reads fare_media.txt, rider_categories.txt and fare_products.txt. */
export function readProducts(tables: BundleTables, currency: string): Products {
  const problems = tables.problems;
  const media = new Map<string, FareMedium>();
  const mediaTable = tables.get('fare_media.txt');
  uniqueKeys(mediaTable, ['fare_media_id'], problems);
  for (const r of mediaTable.records) {
    const id = requiredValue(mediaTable, r, 'fare_media_id', problems);
    const typeText = requiredValue(mediaTable, r, 'fare_media_type', problems);
    const type = typeText === null ? null : checked(mediaTable, r, 'fare_media_type', enumValue(typeText, [0, 1, 2, 3, 4] as const), problems);
    if (id !== null && type !== null && !media.has(id)) media.set(id, { id, name: r.get('fare_media_name') || id, type });
  }

  const categories = new Map<string, RiderCategory>();
  const categoryTable = tables.get('rider_categories.txt');
  uniqueKeys(categoryTable, ['rider_category_id'], problems);
  for (const r of categoryTable.records) {
    const id = requiredValue(categoryTable, r, 'rider_category_id', problems);
    const name = requiredValue(categoryTable, r, 'rider_category_name', problems);
    // "0 or empty - Category is not considered the default. 1 - Category is considered the default one."
    const flag = r.get('is_default_fare_category');
    const isDefault = flag === '' ? 0 : checked(categoryTable, r, 'is_default_fare_category', enumValue(flag, [0, 1] as const), problems);
    if (id !== null && name !== null && isDefault !== null && !categories.has(id)) categories.set(id, { id, name, isDefault: isDefault === 1 });
  }

  const prices = new Map<string, ProductPrice[]>();
  const declared = new Set<string>();
  const productTable = tables.get('fare_products.txt');
  uniqueKeys(productTable, ['fare_product_id', 'rider_category_id', 'fare_media_id'], problems);
  for (const r of productTable.records) {
    const productId = requiredValue(productTable, r, 'fare_product_id', problems);
    if (productId !== null) declared.add(productId);
    const amountText = requiredValue(productTable, r, 'amount', problems);
    const amount = amountText === null ? null : checked(productTable, r, 'amount', wholeRials(amountText), problems);
    const rowCurrency = requiredValue(productTable, r, 'currency', problems);
    if (rowCurrency !== null && rowCurrency !== currency) {
      problems.add(productTable.file, r.line, `currency ${rowCurrency}: the bundle's currency is ${currency}`);
    }
    const categoryId = r.get('rider_category_id') || null;
    if (categoryId !== null && !categories.has(categoryId)) {
      problems.add(productTable.file, r.line, `rider_category_id ${categoryId} is not in rider_categories.txt`);
    }
    const mediumId = r.get('fare_media_id') || null;
    if (mediumId !== null && !media.has(mediumId)) problems.add(productTable.file, r.line, `fare_media_id ${mediumId} is not in fare_media.txt`);
    if (amount !== null && Math.abs(amount) > CARD_MAX_AMOUNT) {
      problems.add(productTable.file, r.line, `amount ${amount} is beyond the ${CARD_MAX_AMOUNT} rials a card records for one boarding`);
    }
    if (productId === null || amount === null) continue;
    const list = prices.get(productId) ?? [];
    list.push({ line: r.line, productId, name: r.get('fare_product_name') || productId, categoryId, mediumId, amount });
    prices.set(productId, list);
  }

  for (const [productId, rows] of prices) {
    // "When multiple rider categories are eligible for a single fare product ..., there must be exactly one of
    // these eligible rider categories indicated as the default rider category" (fare_products.rider_category_id).
    const eligible = rows.some((p) => p.categoryId === null) ? [...categories.keys()] : [...new Set(rows.map((p) => p.categoryId ?? ''))];
    const defaults = eligible.filter((id) => categories.get(id)?.isDefault === true);
    if (eligible.length > 1 && defaults.length !== 1) {
      problems.add(
        productTable.file,
        rows[0]?.line ?? 0,
        `fare product ${productId} is for ${eligible.length} rider categories (${eligible.join(', ')}), ${defaults.length} of them marked default in rider_categories.txt; exactly one must be`,
      );
    }
  }
  return { media, categories, prices, declared };
}
