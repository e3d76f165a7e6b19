/**
 * The files at the top of public/ that hosts read as rules: configuration, not assets. The build
 * writes its own block into them (serving/host-rules.ts), and the scan leaves them out of the token.
 */
export const RULE_FILES = ['_headers', '_redirects', '.assetsignore'] as const;

export type RulesFile = (typeof RULE_FILES)[number];
