/**
 * The contract with the isolated renderers (src/render, written separately): the printer hands
 * over only verified plaintext by path and gets pages or a RenderError back.
 */
import type { RenderRequest, RenderResult } from '../render/types.js';

export type Renderer = (request: RenderRequest) => Promise<RenderResult>;
export type { RenderLimits } from '../render/limits.js';
export { RenderError } from '../render/errors.js';
