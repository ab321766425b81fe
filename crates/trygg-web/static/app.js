// Installs the service worker that shows a page of its own when the network is gone. The pages
// work without it, and without JavaScript.
if ('serviceWorker' in navigator) {
  navigator.serviceWorker.register('/sw.js').catch(() => {});
}
