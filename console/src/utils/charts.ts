// ECharts, tree-shaken to the pieces the console draws; loaded only by the pages with charts.
import * as echarts from 'echarts/core'
import { BarChart, LineChart, PieChart } from 'echarts/charts'
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components'
import { CanvasRenderer } from 'echarts/renderers'

echarts.use([BarChart, LineChart, PieChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer])

function chart(el: HTMLElement) {
  return echarts.getInstanceByDom(el) || echarts.init(el)
}

export function drawBar(el: HTMLElement, names: string[], values: number[], maxima?: number[]) {
  chart(el).setOption({
    animation: false,
    tooltip: { trigger: 'axis' },
    legend: maxima ? { data: ['得分', '满分'] } : { show: false },
    grid: { left: 40, right: 10, top: 30, bottom: 60 },
    xAxis: { type: 'category', data: names, axisLabel: { interval: 0, rotate: 30 } },
    yAxis: { type: 'value' },
    series: [
      { name: maxima ? '得分' : '数量', type: 'bar', data: values, itemStyle: { color: '#409eff' } },
      ...(maxima ? [{ name: '满分', type: 'bar', data: maxima, itemStyle: { color: '#dcdfe6' } }] : []),
    ],
  })
}

export function drawLine(el: HTMLElement, names: string[], values: number[], label: string) {
  chart(el).setOption({
    animation: false,
    tooltip: { trigger: 'axis' },
    grid: { left: 40, right: 10, top: 20, bottom: 30 },
    xAxis: { type: 'category', data: names },
    yAxis: { type: 'value', min: 0, max: 5 },
    series: [{ name: label, type: 'line', data: values, step: 'end' }],
  })
}

export function drawPie(el: HTMLElement, data: { name: string; value: number }[]) {
  chart(el).setOption({
    animation: false,
    tooltip: { trigger: 'item' },
    legend: { bottom: 0 },
    series: [{ type: 'pie', radius: ['35%', '65%'], data, label: { formatter: '{b} {c}' } }],
  })
}
