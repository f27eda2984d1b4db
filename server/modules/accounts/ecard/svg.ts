/** Black on white SVG for card barcodes: large, high contrast, quiet zones included. */

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const FONT = 'font-family="\'DejaVu Sans Mono\',Menlo,Consolas,monospace"';

/**
 * A linear symbol: `modules` (`1` bar, `0` space) as bars, `caption` (the barcode in
 * human-readable form) centred underneath.
 */
export function linearSvg(
  modules: string,
  caption: string,
  options: { moduleWidth?: number; barHeight?: number; quietModules?: number } = {},
): string {
  const unit = options.moduleWidth ?? 4;
  const barHeight = options.barHeight ?? 160;
  const quiet = (options.quietModules ?? 10) * unit;
  const width = modules.length * unit + 2 * quiet;
  const textSize = 40;
  const height = barHeight + textSize + 3 * unit + 24;
  const bars: string[] = [];
  // One rectangle per run of bars keeps the file small and the edges crisp.
  for (let i = 0; i < modules.length;) {
    if (modules[i] !== '1') {
      i += 1;
      continue;
    }
    let end = i;
    while (modules[end] === '1') end += 1;
    bars.push(`M${quiet + i * unit} 12h${(end - i) * unit}v${barHeight}h-${(end - i) * unit}z`);
    i = end;
  }
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${escapeXml(caption)}">` +
    `<rect width="100%" height="100%" fill="#fff"/>` +
    `<path fill="#000" shape-rendering="crispEdges" d="${bars.join('')}"/>` +
    `<text x="${width / 2}" y="${12 + barHeight + 3 * unit + textSize}" text-anchor="middle" font-size="${textSize}" ${FONT} fill="#000">${escapeXml(caption)}</text>` +
    `</svg>`
  );
}

/** A matrix symbol (QR): `true` is dark; a four-module quiet zone around it. */
export function matrixSvg(
  matrix: readonly (readonly boolean[])[],
  caption: string,
  options: { moduleSize?: number; quietModules?: number } = {},
): string {
  const unit = options.moduleSize ?? 12;
  const quiet = (options.quietModules ?? 4) * unit;
  const side = (matrix.length || 1) * unit;
  const width = side + 2 * quiet;
  const textSize = 40;
  const height = width + textSize + 8;
  const cells: string[] = [];
  matrix.forEach((row, y) => {
    row.forEach((dark, x) => {
      if (dark) cells.push(`M${quiet + x * unit} ${quiet + y * unit}h${unit}v${unit}h-${unit}z`);
    });
  });
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${escapeXml(caption)}">` +
    `<rect width="100%" height="100%" fill="#fff"/>` +
    `<path fill="#000" shape-rendering="crispEdges" d="${cells.join('')}"/>` +
    `<text x="${width / 2}" y="${width + textSize - 8}" text-anchor="middle" font-size="${textSize}" ${FONT} fill="#000">${escapeXml(caption)}</text>` +
    `</svg>`
  );
}
