/** Marks an urgent message in the thread; routine messages carry no label. */
export function PriorityLabel() {
  return <span className="priority-label">Urgent</span>;
}
