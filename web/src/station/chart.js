// chart.js - the region roll-up's bar chart, drawn by ECharts (only the
// parts it uses: bars, a grid, a legend, the aria description, the canvas
// renderer). Imported when a chart is first drawn, not at start, so the
// page modules still load in node. The canvas keeps every style out of
// style attributes, which the page's CSP forbids.
import * as echarts from 'echarts/core';
import { BarChart } from 'echarts/charts';
import { GridComponent, LegendComponent, AriaComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';

echarts.use([BarChart, GridComponent, LegendComponent, AriaComponent, CanvasRenderer]);

const charts = new Map(); // element -> chart

/** Let go of charts whose element left the page (it was drawn again). */
function sweep() {
  for (const [el, chart] of charts) {
    if (!el.isConnected) {
      chart.dispose();
      charts.delete(el);
    }
  }
}

/**
 * Draw (or draw again) stacked bars into el: labels along the bottom,
 * series [{name, data, color}], desc: what the chart says, in words.
 */
export function drawBars(el, { labels, series, desc }) {
  sweep();
  let chart = charts.get(el);
  if (!chart) {
    chart = echarts.init(el, null, { renderer: 'canvas' });
    charts.set(el, chart);
  }
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

/** Let go of the chart in el (the page is leaving). */
export function dropChart(el) {
  const chart = charts.get(el);
  if (chart) {
    chart.dispose();
    charts.delete(el);
  }
}
