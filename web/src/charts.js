// charts.js - the ECharts instance of an element, for the chart modules of
// the feature folders (station/chart.js, mentoring/chart.js), which each
// register the chart types they draw. Charts whose element left the page
// (it was drawn again) are let go first. Imported only by those modules,
// which the pages load when a chart is first drawn.
import * as echarts from 'echarts/core';

const charts = new Map(); // element -> chart

function sweep() {
  for (const [el, chart] of charts) {
    if (!el.isConnected) {
      chart.dispose();
      charts.delete(el);
    }
  }
}

/** el's chart (drawn on a canvas: the page's CSP forbids style attributes). */
export function chartFor(el) {
  sweep();
  let chart = charts.get(el);
  if (!chart) {
    chart = echarts.init(el, null, { renderer: 'canvas' });
    charts.set(el, chart);
  }
  return chart;
}

/** Let go of el's chart (its page is leaving). */
export function dropChart(el) {
  const chart = charts.get(el);
  if (chart) {
    chart.dispose();
    charts.delete(el);
  }
}

/** Let go of every chart inside root (all of them without one), and of
 * those whose element left the page (the page is leaving). */
export function dropCharts(root) {
  for (const [el, chart] of charts) {
    if (!root || root.contains(el) || !el.isConnected) {
      chart.dispose();
      charts.delete(el);
    }
  }
}
