/** Shown while a page's data loads: the shape of the page, so nothing jumps when it arrives. */
export default function PageLoading() {
  return (
    <div aria-busy="true" aria-label="Loading">
      <div className="skeleton" style={{ height: 28, width: 220, marginBottom: 16 }} />
      <div className="skeleton" style={{ height: 120, marginBottom: 16 }} />
      <div className="skeleton" style={{ height: 260 }} />
    </div>
  );
}
