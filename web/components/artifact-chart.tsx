'use client';

/**
 * A chart artifact, drawn with Chart.js on a canvas: line or bar, one x label per point, one or more series.
 * Chart.js because it draws both kinds out of the box, is maintained, tree-shakes to the parts used here and
 * needs no other package (uPlot is smaller but does bars only through plugins; ECharts and Recharts are several
 * times larger). The numbers are also in a table inside the canvas, for screen readers.
 */
import { useEffect, useRef } from 'react';
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
} from 'chart.js';
import type { ChartArtifact } from 'sluice/internal/types';

Chart.register(LineController, BarController, LineElement, BarElement, PointElement, CategoryScale, LinearScale, Legend, Tooltip);

// Distinct, AA-contrast colours on white; a series past the last takes the first again.
const COLOURS = ['#1f5fbf', '#c25e00', '#177a33', '#8e3fbf', '#c62828', '#00838f', '#5f6b7a'];
const FALLBACK_ROWS = 200;

export function ArtifactChart({ artifact }: { artifact: ChartArtifact }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    if (!canvas.current) return;
    const many = artifact.x.length > 200;
    const chart = new Chart(canvas.current, {
      type: artifact.chart,
      data: {
        labels: artifact.x,
        datasets: artifact.series.map((s, i) => ({
          label: s.name,
          data: s.values,
          borderColor: COLOURS[i % COLOURS.length],
          backgroundColor: COLOURS[i % COLOURS.length],
          pointRadius: many ? 0 : 2,
          borderWidth: artifact.chart === 'line' ? 2 : 0,
        })),
      },
      options: {
        animation: false,
        maintainAspectRatio: false,
        interaction: { mode: 'index', intersect: false },
        plugins: { legend: { display: artifact.series.length > 1 } },
        scales: {
          x: { title: { display: Boolean(artifact.xLabel), text: artifact.xLabel ?? '' } },
          y: { title: { display: Boolean(artifact.yLabel), text: artifact.yLabel ?? '' } },
        },
      },
    });
    return () => chart.destroy();
  }, [artifact]);

  const label = `${artifact.chart === 'line' ? 'Line' : 'Bar'} chart: ${artifact.title}`;
  return (
    <div className="artifact-chart">
      <canvas ref={canvas} role="img" aria-label={label} data-chart={artifact.chart} data-points={artifact.x.length} data-series={artifact.series.length}>
        <table>
          <caption>{label}</caption>
          <thead>
            <tr>
              <th>{artifact.xLabel ?? 'x'}</th>
              {artifact.series.map((s) => (
                <th key={s.name}>{s.name}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {artifact.x.slice(0, FALLBACK_ROWS).map((x, i) => (
              <tr key={i}>
                <td>{x}</td>
                {artifact.series.map((s) => (
                  <td key={s.name}>{s.values[i] ?? ''}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </canvas>
    </div>
  );
}
