// `import type {} from 'call-widget/vue'`: types <call-widget> in Vue templates (vue-tsc, strictTemplates).
// Vue also needs to be told it is a custom element at run time: `isCustomElement: (tag) => tag === 'call-widget'`.
import type { DefineComponent } from 'vue';
import type { CallWidgetProperties, CallWidgetVueEvents } from './dist/index.js';

declare module 'vue' {
  interface GlobalComponents {
    'call-widget': DefineComponent<CallWidgetProperties & CallWidgetVueEvents>;
  }
}
