import '@testing-library/jest-dom';

// Rendering MUI-heavy pages takes a few seconds on a loaded 2-core CI
// machine; the default of 5 s made tests fail for being slow, not wrong.
jest.setTimeout(30_000);
