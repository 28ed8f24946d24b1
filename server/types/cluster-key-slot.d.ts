/** The hash slot (0–16383) Redis Cluster gives a key, honouring `{hash tags}`; the package ships no types. */
declare module 'cluster-key-slot' {
  function calculateSlot(key: string | Buffer): number;
  export default calculateSlot;
}
