// chart.js - the region roll-up's bar chart, drawn by ECharts (only the
// parts it uses: bars, a grid, a legend, the aria description, the canvas
// renderer). Imported when a chart is first drawn, not at start, so the
// page modules still load in node. The canvas keeps every style out of
// style attributes, which the page's CSP forbids.
import * as echarts from 'echarts/core';
import { BarChart } from 'echarts/charts';
import { GridComponent, LegendComponent, AriaComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';
import { chartFor } from '../charts.js';

echarts.use([BarChart, GridComponent, LegendComponent, AriaComponent, CanvasRenderer]);


/**
 * Draw (or draw again) stacked bars into el: labels along the bottom,
 * series [{name, data, color}], desc: what the chart says, in words.
 */
export function drawBars(el, { labels, series, desc }) {
  const chart = chartFor(el);
  chart.setOption(
    {
      animation: false,
      aria: { enabled: true, label: { description: desc } },
      legend: { top: 0 },
      grid: { left: 40, right: 12, top: 36, bottom: 28 },
      xAxis: { type: 'category', data: labels, axisLabel: { hideOverlap: true } },
      yAxis: { type: 'value', minInterval: 1 },
      series: series.map((s) => ({ type: 'bar', stack: 'visits', name: s.name, data: s.data, itemStyle: { color: s.color } })),
    },
    true,
  );
  return chart;
}

export { dropChart } from '../charts.js';
