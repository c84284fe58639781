// A few line icons (24×24, stroke) drawn here so the app ships no icon font or CDN.
import { defineComponent, h, type PropType, type VNode } from 'vue'

const ICONS = {
  portals: ['M4 4h16v6H4z', 'M4 14h16v6H4z', 'M8 7h.01', 'M8 17h.01'],
  triggers: ['M13 2 4 14h7l-1 8 9-12h-7z'],
  runOne: ['M7 4v16l13-8z'],
  batch: ['M9 6h11', 'M9 12h11', 'M9 18h11', 'M4 6h.01', 'M4 12h.01', 'M4 18h.01'],
  history: ['M12 3a9 9 0 1 1-9 9', 'M12 7v5l3 2', 'M3 4v5h5'],
  sun: ['M12 8a4 4 0 1 0 0 8 4 4 0 0 0 0-8', 'M12 2v2', 'M12 20v2', 'M4.9 4.9l1.4 1.4', 'M17.7 17.7l1.4 1.4', 'M2 12h2', 'M20 12h2', 'M4.9 19.1l1.4-1.4', 'M17.7 6.3l1.4-1.4'],
  moon: ['M21 12.8A9 9 0 1 1 11.2 3a7 7 0 0 0 9.8 9.8z'],
  monitor: ['M3 4h18v12H3z', 'M8 20h8', 'M12 16v4'],
  copy: ['M9 9h11v11H9z', 'M5 15H4V4h11v1'],
  trash: ['M3 6h18', 'M8 6V4h8v2', 'M19 6l-1 14H6L5 6', 'M10 11v6', 'M14 11v6'],
  plus: ['M12 5v14', 'M5 12h14'],
  refresh: ['M20 11A8 8 0 0 0 6 6.3L4 8', 'M4 4v4h4', 'M4 13a8 8 0 0 0 14 4.7l2-1.7', 'M20 20v-4h-4'],
  pause: ['M8 5v14', 'M16 5v14'],
  play: ['M7 4v16l13-8z'],
  stop: ['M6 6h12v12H6z'],
  upload: ['M12 16V4', 'M7 9l5-5 5 5', 'M4 16v4h16v-4'],
  download: ['M12 4v12', 'M7 11l5 5 5-5', 'M4 16v4h16v-4'],
  file: ['M14 3H6v18h12V7z', 'M14 3v4h4'],
  check: ['M5 12l5 5 9-10'],
  alert: ['M12 3 2 20h20z', 'M12 10v4', 'M12 17h.01'],
  back: ['M19 12H5', 'M11 6l-6 6 6 6'],
  forward: ['M5 12h14', 'M13 6l6 6-6 6'],
  key: ['M14 4a6 6 0 1 1-4.6 9.8L4 19v2h3l1-1v-2h2v-2l1.2-1.2A6 6 0 0 1 14 4z', 'M16 8h.01'],
  link: ['M10 14a4 4 0 0 0 5.7 0l3-3a4 4 0 0 0-5.7-5.7l-1 1', 'M14 10a4 4 0 0 0-5.7 0l-3 3a4 4 0 0 0 5.7 5.7l1-1'],
  edit: ['M4 20h4L19 9l-4-4L4 16z', 'M14 6l4 4'],
  terminal: ['M4 17l6-5-6-5', 'M12 19h8'],
  open: ['M14 4h6v6', 'M20 4l-9 9', 'M18 14v6H4V6h6']
} as const

export type IconName = keyof typeof ICONS

export default defineComponent({
  name: 'AppIcon',
  props: {
    name: { type: String as PropType<IconName>, required: true },
    size: { type: [Number, String], default: '1em' }
  },
  setup(props) {
    return (): VNode =>
      h(
        'svg',
        {
          xmlns: 'http://www.w3.org/2000/svg',
          viewBox: '0 0 24 24',
          width: props.size,
          height: props.size,
          fill: 'none',
          stroke: 'currentColor',
          'stroke-width': 2,
          'stroke-linecap': 'round',
          'stroke-linejoin': 'round',
          'aria-hidden': 'true',
          focusable: 'false'
        },
        ICONS[props.name].map((d) => h('path', { d }))
      )
  }
})
