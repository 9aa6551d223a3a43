// A component may import its own stylesheet (vite bundles it into the one CSS file index.html links;
// CSP style-src 'self' allows it). The import is for its side effect only.
declare module '*.css';
