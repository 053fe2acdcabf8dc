/**
 * Draws a ChartSpec to PNG bytes with Chart.js on @napi-rs/canvas (Skia, shipped inside npm, so no
 * system libraries or native build at install time).
 */
import { createCanvas } from '@napi-rs/canvas';
import { Chart, registerables, type ChartConfiguration, type Plugin } from 'chart.js';
import type { ChartSpec } from './chart-specs.ts';

Chart.register(...registerables);

// A PNG with a transparent background is unreadable in a dark-mode viewer; paint it white first.
const whiteBackground: Plugin = {
  id: 'white-background',
  beforeDraw(chart) {
    const { ctx, width, height } = chart;
    ctx.save();
    ctx.globalCompositeOperation = 'destination-over';
    ctx.fillStyle = '#ffffff';
    ctx.fillRect(0, 0, width, height);
    ctx.restore();
  },
};

export async function renderPng(spec: ChartSpec): Promise<Buffer> {
  const canvas = createCanvas(spec.width, spec.height);
  // The config is plain JSON shared with the page; a deep copy keeps Chart.js from mutating it.
  const config = JSON.parse(JSON.stringify(spec.config)) as ChartConfiguration;
  config.options = { ...config.options, devicePixelRatio: 1 };
  config.plugins = [whiteBackground];
  const chart = new Chart(canvas as unknown as ConstructorParameters<typeof Chart>[0], config);
  try {
    return await canvas.encode('png');
  } finally {
    chart.destroy();
  }
}
