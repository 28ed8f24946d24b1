export function NotFoundPage() {
  return (
    <div className="page">
      <h1 className="page-title" tabIndex={-1}>
        Page not found
      </h1>
      <p>
        There is nothing at this address. <a href="#/conversations">Go to your messages</a>.
      </p>
    </div>
  );
}
