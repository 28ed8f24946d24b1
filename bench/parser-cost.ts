export function measureParserCost(): void {}
