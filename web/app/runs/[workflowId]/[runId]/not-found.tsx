import Link from 'next/link';

export default function RunNotFound() {
  return (
    <div className="panel error-page">
      <h1>No such run</h1>
      <p>Temporal knows no run with this id. It may be mistyped, or older than the namespace keeps runs (24 hours on the development server).</p>
      <p>
        <Link href="/runs">Back to the runs</Link>
      </p>
    </div>
  );
}
