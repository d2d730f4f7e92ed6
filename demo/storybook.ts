// The Storybook-style demo: a sidebar of every widget state, driven by the simulator (no server needed), with
// controls for the public attributes. Deep links: #story-id?theme=light&lang=ar.
import '../widget/call-widget';
import type { CallWidget } from '../widget/call-widget';
import { fakeVideoStream } from './fake-media';
import { presentStory, STORIES, type Story } from './stories';

const sidebar = document.getElementById('stories')!;
const stage = document.getElementById('stage')!;
const title = document.getElementById('story-title')!;
const controls = document.getElementById('controls') as HTMLFormElement;
const streams = new Map<string, MediaStream>();
const streamFor = (key: string, hue: number) => {
  let s = streams.get(key);
  if (!s) streams.set(key, (s = fakeVideoStream(key, hue)));
  return s;
};

const groups = new Map<string, Story[]>();
for (const story of STORIES) groups.set(story.group, [...(groups.get(story.group) ?? []), story]);
for (const [group, stories] of groups) {
  const section = document.createElement('section');
  section.innerHTML = `<h2>${group}</h2>`;
  const list = document.createElement('ul');
  for (const story of stories) {
    const li = document.createElement('li');
    li.innerHTML = `<a href="#${story.id}" data-story="${story.id}">${story.title}</a>`;
    list.append(li);
  }
  section.append(list);
  sidebar.append(section);
}

function settings(): Record<string, string> {
  return Object.fromEntries(new FormData(controls).entries()) as Record<string, string>;
}

function show(): void {
  const [id, query] = location.hash.slice(1).split('?');
  const story = STORIES.find((s) => s.id === id) ?? STORIES.find((s) => s.id === 'idle')!;
  for (const [k, v] of new URLSearchParams(query ?? '')) {
    const input = controls.elements.namedItem(k) as HTMLInputElement | HTMLSelectElement | null;
    if (input) input.value = v;
  }
  const opts = settings();
  document.documentElement.dataset.page = opts.page ?? 'light';
  for (const a of sidebar.querySelectorAll('a')) a.toggleAttribute('aria-current', a.dataset.story === story.id);
  title.textContent = `${story.group} / ${story.title}`;
  const widget = document.createElement('call-widget') as CallWidget;
  widget.theme = (opts.theme as CallWidget['theme']) ?? 'dark';
  if (opts.lang) widget.setAttribute('lang', opts.lang);
  widget.layout = (opts.layout as CallWidget['layout']) ?? 'grid';
  widget.mode = (opts.mode as CallWidget['mode']) ?? 'inline';
  widget.pageSize = Number(opts.pageSize ?? 9);
  stage.replaceChildren(widget);
  presentStory(widget, story, streamFor);
}

controls.addEventListener('change', show);
window.addEventListener('hashchange', show);
show();
