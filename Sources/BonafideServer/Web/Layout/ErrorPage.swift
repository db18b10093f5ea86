import Foundation

/// What a refused page shows in the browser: the problem in words and the ways back. A pure view.
struct ErrorPage: Sendable {
    var problem: Problem

    func render() -> HTML {
        """
        <div class="card"><h1>\(problem.title)</h1><p>\(problem.detail)</p>
        <p><a href="javascript:history.back()">Go back</a> · <a href="\(SiteURL.home())">Home</a></p></div>
        """
    }
}
