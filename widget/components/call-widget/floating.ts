/** Floating UI, loaded on first use so widgets that never open a popover never download it. */
export interface AnchorOptions {
  placement: 'top' | 'bottom' | 'top-start' | 'top-end' | 'bottom-start' | 'bottom-end';
  strategy: 'fixed' | 'absolute';
  offsetPx: number;
  /** Shrink the floating element to the space available (the launcher panel on small screens). */
  fit?: { minWidth: number; minHeight: number };
}

/**
 * Keeps `floating` next to `reference` (flip to the other side, shift to stay on screen) while either moves or
 * resizes; returns the cleanup. The one place @floating-ui/dom is used (launcher panel and device menu).
 */
export async function anchor(reference: HTMLElement, floating: HTMLElement, options: AnchorOptions): Promise<() => void> {
  const { autoUpdate, computePosition, flip, offset, shift, size } = await import('@floating-ui/dom');
  const fit = options.fit;
  return autoUpdate(reference, floating, () => {
    void computePosition(reference, floating, {
      strategy: options.strategy,
      placement: options.placement,
      middleware: [
        offset(options.offsetPx),
        flip(),
        shift({ padding: 8 }),
        ...(fit
          ? [
              size({
                padding: 8,
                apply({ availableWidth, availableHeight }) {
                  floating.style.maxWidth = `${Math.max(fit.minWidth, availableWidth)}px`;
                  floating.style.maxHeight = `${Math.max(fit.minHeight, availableHeight)}px`;
                },
              }),
            ]
          : []),
      ],
    }).then(({ x, y }) => Object.assign(floating.style, { left: `${x}px`, top: `${y}px` }));
  });
}
