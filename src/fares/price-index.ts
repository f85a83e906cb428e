import type { ProductPrice } from './read-products.ts';

const ANY = '';

/**
 * Prices by fare_product_id, rider category and fare medium. An empty rider_category_id makes a row
 * "eligible for any rider_category_id"; an empty fare_media_id means "the fare media is unknown", which
 * the validator takes as usable with any medium. The most specific row applies: the card's category and
 * medium, then its category with unknown medium, then any category on its medium, then any and unknown.
 */
export class PriceIndex {
  private readonly byProduct = new Map<string, Map<string, Map<string, number>>>();

  constructor(prices: ReadonlyMap<string, readonly ProductPrice[]>) {
    for (const [productId, rows] of prices) {
      const byCategory = new Map<string, Map<string, number>>();
      for (const row of rows) {
        const byMedium = byCategory.get(row.categoryId ?? ANY) ?? new Map<string, number>();
        byMedium.set(row.mediumId ?? ANY, row.amount);
        byCategory.set(row.categoryId ?? ANY, byMedium);
      }
      this.byProduct.set(productId, byCategory);
    }
  }

  /** Rials for the product, or undefined when it is not sold to this category on this medium. */
  price(productId: string, category: string, medium: string): number | undefined {
    const byCategory = this.byProduct.get(productId);
    if (!byCategory) return undefined;
    return forMedium(byCategory.get(category), medium) ?? forMedium(byCategory.get(ANY), medium);
  }
}

function forMedium(byMedium: ReadonlyMap<string, number> | undefined, medium: string): number | undefined {
  return byMedium === undefined ? undefined : (byMedium.get(medium) ?? byMedium.get(ANY));
}
