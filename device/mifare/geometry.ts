/** MIFARE Classic 1K memory: 16 sectors of 4 blocks of 16 bytes; the last block of each sector is its trailer. */

export const BLOCK_SIZE = 16;
export const SECTORS = 16;
export const BLOCKS_PER_SECTOR = 4;
export const BLOCKS = SECTORS * BLOCKS_PER_SECTOR;
export const KEY_SIZE = 6;

export type KeyType = 'A' | 'B';

/** The sector a block is in. */
export function sectorOf(block: number): number {
  return Math.floor(block / BLOCKS_PER_SECTOR);
}

/** The first data block of a sector. */
export function firstBlockOf(sector: number): number {
  return sector * BLOCKS_PER_SECTOR;
}

/** The sector trailer (keys and access bits) of a sector. */
export function trailerOf(sector: number): number {
  return firstBlockOf(sector) + BLOCKS_PER_SECTOR - 1;
}

/** Whether a block is a sector trailer. */
export function isTrailer(block: number): boolean {
  return block % BLOCKS_PER_SECTOR === BLOCKS_PER_SECTOR - 1;
}

/** 0..3: the block's place in its sector, which selects its access bits. */
export function indexInSector(block: number): number {
  return block % BLOCKS_PER_SECTOR;
}

/** Whether a number names a block of a 1K card. */
export function isBlockNumber(block: number): boolean {
  return Number.isInteger(block) && block >= 0 && block < BLOCKS;
}
