// chart.js - a host's trend lines, drawn by ECharts (lines, a time axis, a
// legend, the aria description, the canvas renderer): one figure per
// session for the host, the category's weekly median beside it, and the
// sessions under the host's own baseline as marked points. Imported when
// a chart is first drawn, so the page modules still load in node.
import * as echarts from 'echarts/core';
import { LineChart, ScatterChart } from 'echarts/charts';
import { GridComponent, LegendComponent, AriaComponent, TooltipComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';
import { chartFor } from '../charts.js';

echarts.use([LineChart, ScatterChart, GridComponent, LegendComponent, AriaComponent, TooltipComponent, CanvasRenderer]);


/**
 * Draw into el: mine [[iso, value]], category [[iso, value]], low
 * [[iso, value]] (the flagged sessions); names: {mine, category, low};
 * desc: what the chart says, in words.
 */
export function drawTrend(el, { mine, category, low, names, desc }) {
  const chart = chartFor(el);
  chart.setOption(
    {
      animation: false,
      aria: { enabled: true, label: { description: desc } },
      tooltip: { trigger: 'axis' },
      legend: { top: 0 },
      grid: { left: 48, right: 12, top: 36, bottom: 28 },
      xAxis: { type: 'time', axisLabel: { hideOverlap: true } },
      yAxis: { type: 'value' },
      series: [
        { type: 'line', name: names.mine, data: mine, itemStyle: { color: '#9a3412' }, showSymbol: true, symbolSize: 5 },
        { type: 'line', name: names.category, data: category, itemStyle: { color: '#2563eb' }, lineStyle: { type: 'dashed' }, showSymbol: false },
        { type: 'scatter', name: names.low, data: low, itemStyle: { color: '#b91c1c' }, symbol: 'triangle', symbolSize: 12 },
      ],
    },
    true,
  );
  return chart;
}

export { dropCharts } from '../charts.js';
