// Pictures from 1688's CDN: one that fails to load is hidden rather than shown broken.
export function hideBroken(event: Event): void {
  (event.currentTarget as HTMLImageElement).style.display = 'none';
}
