import Foundation
import Testing

@testable import BonafideServer

@Suite("Markdown")
struct MarkdownTests {
    private let rel = "rel=\"nofollow noopener noreferrer ugc\""

    private func html(_ source: String) -> String { Markdown.html(source).text }

    @Test func paragraphsAndLineBreaks() {
        #expect(html("Hello\nworld\n\nSecond") == "<p>Hello world</p>\n<p>Second</p>")
        #expect(html("one  \ntwo") == "<p>one<br>\ntwo</p>")
        #expect(html("") == "")
        #expect(html("\r\n\r\nA\r\nB") == "<p>A B</p>")
    }

    /// Headings start at h3, so a writer's "#" never competes with the page's own h1 and h2.
    @Test func headings() {
        #expect(html("# One\n## Two\n### Three\n#### Four") == "<h3>One</h3>\n<h4>Two</h4>\n<h5>Three</h5>\n<h6>Four</h6>")
        #expect(html("## Title ##") == "<h4>Title</h4>")
        #expect(html("#hashtag") == "<p>#hashtag</p>")
    }

    @Test func lists() {
        #expect(html("- a\n* b") == "<ul>\n<li>a</li>\n<li>b</li>\n</ul>")
        #expect(html("1. one\n2. two") == "<ol>\n<li>one</li>\n<li>two</li>\n</ol>")
        #expect(html("3. three\n\n4. four") == "<ol start=\"3\">\n<li>three</li>\n<li>four</li>\n</ol>")
        #expect(html("- a\ncontinued\n\nAfter") == "<ul>\n<li>a continued</li>\n</ul>\n<p>After</p>")
        #expect(html("**bold** start") == "<p><strong>bold</strong> start</p>")
    }

    @Test func quotes() {
        #expect(html("> quoted\n> still") == "<blockquote>\n<p>quoted still</p>\n</blockquote>")
        #expect(html("> a\n>\n> - b") == "<blockquote>\n<p>a</p>\n<ul>\n<li>b</li>\n</ul>\n</blockquote>")
    }

    @Test func code() {
        #expect(html("```swift\nlet a = <b>\n  **c**\n```\nafter") == "<pre><code>let a = &lt;b&gt;\n  **c**</code></pre>\n<p>after</p>")
        #expect(html("use `a < b` here") == "<p>use <code>a &lt; b</code> here</p>")
        #expect(html("``a ` b``") == "<p><code>a ` b</code></p>")
        #expect(html("`**not bold**`") == "<p><code>**not bold**</code></p>")
        #expect(html("```inline```") == "<p><code>inline</code></p>")
        #expect(html("`unclosed") == "<p>`unclosed</p>")
    }

    @Test func emphasis() {
        #expect(html("**bold** and *it* and _it_") == "<p><strong>bold</strong> and <em>it</em> and <em>it</em></p>")
        #expect(html("***both***") == "<p><em><strong>both</strong></em></p>")
        #expect(html("*a **b** c*") == "<p><em>a <strong>b</strong> c</em></p>")
        #expect(html("snake_case_name") == "<p>snake_case_name</p>")
        #expect(html("\\*not em\\*") == "<p>*not em*</p>")
    }

    @Test func unclosedDelimitersStayText() {
        #expect(html("**not closed") == "<p>**not closed</p>")
        #expect(html("**a*") == "<p>*<em>a</em></p>")
        #expect(html("[not a link]") == "<p>[not a link]</p>")
    }

    @Test func links() {
        #expect(html("[site](https://example.com/a?b=1&c=2)") == "<p><a href=\"https://example.com/a?b=1&amp;c=2\" \(rel)>site</a></p>")
        #expect(html("[mail](mailto:a@example.com)") == "<p><a href=\"mailto:a@example.com\" \(rel)>mail</a></p>")
        #expect(html("[x](HTTPS://EXAMPLE.COM)") == "<p><a href=\"HTTPS://EXAMPLE.COM\" \(rel)>x</a></p>")
        #expect(
            html("[Mercury](https://en.wikipedia.org/wiki/Mercury_(planet))")
                == "<p><a href=\"https://en.wikipedia.org/wiki/Mercury_(planet)\" \(rel)>Mercury</a></p>")
    }

    @Test func emphasisInsideLinkText() {
        #expect(
            html("[**bold** and *it*](https://example.com)")
                == "<p><a href=\"https://example.com\" \(rel)><strong>bold</strong> and <em>it</em></a></p>")
        // Emphasis cannot straddle the link's edge, which would nest the tags wrongly.
        #expect(html("*a [b* c](https://x.com)") == "<p>*a <a href=\"https://x.com\" \(rel)>b* c</a></p>")
    }

    @Test func bareAddressesAreLinked() {
        #expect(
            html("See https://example.com/path.") == "<p>See <a href=\"https://example.com/path\" \(rel)>https://example.com/path</a>.</p>")
        #expect(html("(see https://example.com/a)") == "<p>(see <a href=\"https://example.com/a\" \(rel)>https://example.com/a</a>)</p>")
        #expect(html("[https://a.com](https://b.com)") == "<p><a href=\"https://b.com\" \(rel)>https://a.com</a></p>")
        #expect(html("nothttps://example.com") == "<p>nothttps://example.com</p>")
    }

    @Test func rawHTMLIsText() {
        #expect(html("<script>alert(1)</script>") == "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>")
        #expect(html("<img src=x \"onerror=alert(1)>") == "<p>&lt;img src=x &quot;onerror=alert(1)&gt;</p>")
        #expect(html("**<b>**") == "<p><strong>&lt;b&gt;</strong></p>")
    }

    /// Only web and mail addresses become links, whatever their case; anything else is shown as written.
    @Test func otherSchemesAreText() {
        #expect(html("[x](javascript:alert(1))") == "<p>[x](javascript:alert(1))</p>")
        #expect(html("[x](JAVASCRIPT:alert(1))") == "<p>[x](JAVASCRIPT:alert(1))</p>")
        #expect(html("[x](data:text/html,hi)") == "<p>[x](data:text/html,hi)</p>")
        #expect(html("[x](/admin)") == "<p>[x](/admin)</p>")
        #expect(html("[x](https://)") == "<p>[x](https://)</p>")
        #expect(!html("[x](vbscript:msgbox)").contains("<a"))
    }

    /// A quote followed by a combining mark is one Character that is not `"`, but it still ends an attribute.
    @Test func attributeQuotesAreEscapedEvenWithCombiningMarks() {
        let out = html("[x](https://example.com/\"\u{301}onmouseover=alert(1))")
        #expect(out.unicodeScalars.filter { $0 == "\"" }.count == 4)
    }

    @Test func plainTextDropsTheMarkup() {
        let source = "# Title\n\nSome **bold** text with [a link](https://example.com).\n\n- one\n- two\n\n> quoted\n\n```\ncode <x>\n```"
        let expected = "Title\n\nSome bold text with a link (https://example.com).\n\n- one\n- two\n\nquoted\n\ncode <x>"
        #expect(Markdown.plainText(source) == expected)
        #expect(Markdown.plainText("3. a\n4. b") == "3. a\n4. b")
        #expect(Markdown.plainText("[https://x.com](https://x.com) and `code`") == "https://x.com and code")
    }

    /// Adversarial input: a quadratic scan would not finish on these, and the output stays a small multiple of the input.
    @Test func linearOnAdversarialInput() {
        let inputs = [
            String(repeating: "*", count: 200_000),
            String(repeating: "[", count: 200_000),
            String(repeating: "[a](", count: 50_000),
            String(repeating: "*a", count: 100_000),
            String(repeating: "_a *b ", count: 30_000) + String(repeating: "c* ", count: 30_000),
            String(repeating: "[a *b ", count: 30_000) + String(repeating: "c*] ", count: 30_000),
            String(repeating: "` `` ", count: 40_000),
            String(repeating: "https://_", count: 20_000),
            String(repeating: "[a](https://", count: 20_000),
            String(repeating: "https://example.com ", count: 10_000),
            String(repeating: "> ", count: 50_000),
            String(repeating: "- a\n\n", count: 40_000),
        ]
        for input in inputs {
            let out = html(input)
            #expect(!out.isEmpty)
            #expect(out.utf8.count <= 8 * input.utf8.count + 100)
            #expect(Markdown.plainText(input).utf8.count <= 2 * input.utf8.count + 100)
        }
    }
}
