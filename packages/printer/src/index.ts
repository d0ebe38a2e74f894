// Public API of this package: filled in by its issue (see ../../README.md).
export {};
