/**
 * What the Qom Card's last-trip record can hold (docs/card-layout.md; device/qom-card/purse-slot.ts refuses
 * to encode more). The fare engine keeps within them, so that a fare rule can never make a card write fail.
 */

/** Rials charged for one boarding: an unsigned 24-bit field. */
export const CARD_MAX_AMOUNT = 16_777_215;

/** Transfers in the current chain: 7 bits (the eighth is the blocked flag). */
export const CARD_MAX_TRANSFERS = 127;
