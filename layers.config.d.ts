// Types of layers.config.js, for the architecture test.
/** Each folder of src/ and the folders it may import. */
export declare const LAYERS: Readonly<Record<string, readonly string[]>>;
