/** One sentence of a gpsd `.chk` file and the TPV report gpsd gave after it (test/fixtures/gpsd-nmea). */
export interface GpsdExpectation {
  readonly sentence: string;
  /** gpsd's TPV after this sentence, when it reported one with a time. */
  readonly tpv: { readonly time: string; readonly lat?: number; readonly lon?: number; readonly mode: number } | null;
}

/** Reads a `.chk` file: each input sentence echoed, then the JSON reports gpsd produced after reading it. */
export function parseGpsdCheck(text: string): GpsdExpectation[] {
  const out: { sentence: string; tpv: GpsdExpectation['tpv'] }[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\r$/, '');
    if (line.startsWith('{')) {
      const last = out.at(-1);
      const report = JSON.parse(line) as { class?: string; time?: string; lat?: number; lon?: number; mode?: number };
      if (last && report.class === 'TPV' && typeof report.time === 'string') {
        last.tpv = {
          time: report.time,
          mode: report.mode ?? 0,
          ...(report.lat === undefined ? {} : { lat: report.lat }),
          ...(report.lon === undefined ? {} : { lon: report.lon }),
        };
      }
    } else if (line !== '' && !line.startsWith('#')) {
      out.push({ sentence: line, tpv: null });
    }
  }
  return out;
}
