#!/usr/bin/python3
"""eafserve's pages in headless Chromium, through Selenium; TAP on stdout.

Run by tests/browser/browser.sh, which finds Chromium and renders the
fixture (WORK/pages: the index and the pages as files).  With --server,
eafserve serves the fixture index on a loopback port and the pages are
used as a reader would: search, a facet, the next page, an article, a
related post, the keyboard alone, the completion.  In both modes the
hostile pages are loaded and nothing of theirs may run: the payloads set
window.__pwned or call alert(), so both are checked, along with the
DOM (no event attribute, no inline script, no script link) and the
console (no Content-Security-Policy report about our own markup).
"""
import argparse
import json
import os
import subprocess
import sys
import time
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET

from selenium import webdriver
from selenium.common.exceptions import (NoAlertPresentException, TimeoutException,
                                        WebDriverException)
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

COUNT = 0
FAILED = 0


def ok(cond, what, detail=None):
    global COUNT, FAILED
    COUNT += 1
    print("%s %d - %s" % ("ok" if cond else "not ok", COUNT, what))
    if not cond:
        FAILED += 1
        if detail:
            for line in str(detail).splitlines()[:20]:
                print("#   " + line)
    sys.stdout.flush()
    return cond


def skip(what, why):
    global COUNT
    COUNT += 1
    print("ok %d - %s # SKIP %s" % (COUNT, what, why))


# What a page holds that should never be there: run in the page.
INSPECT = """
var bad = [];
document.querySelectorAll('*').forEach(function (e) {
  for (var i = 0; i < e.attributes.length; i++) {
    var a = e.attributes[i];
    if (/^on/i.test(a.name)) bad.push('event attribute ' + a.name + ' on ' + e.tagName);
    if (a.name === 'style') bad.push('style attribute on ' + e.tagName);
    if ((a.name === 'href' || a.name === 'src' || a.name === 'action') &&
        /^\\s*(javascript|data|vbscript):/i.test(a.value))
      bad.push('script link ' + a.value.slice(0, 60));
  }
  var t = e.tagName.toLowerCase();
  if (t === 'script' && !e.src) bad.push('inline script');
  if (t === 'iframe' || t === 'svg' || t === 'object' || t === 'embed') bad.push('element ' + t);
  if (t === 'img' && !e.closest('header')) bad.push('img outside the header');
});
return {bad: bad, pwned: window.__pwned === undefined ? null : String(window.__pwned)};
"""


def no_alert(d):
    try:
        a = d.switch_to.alert
        text = a.text
        a.accept()
        return text
    except NoAlertPresentException:
        return None


def console_problems(d):
    """The console's errors about a Content-Security-Policy, and any
    severe message that names a script error."""
    out = []
    try:
        for entry in d.get_log("browser"):
            msg = entry.get("message", "")
            if "Content Security Policy" in msg or "Content-Security-Policy" in msg:
                out.append(msg)
    except WebDriverException:
        pass
    return out


def check_safe(d, what, hover=True):
    """Nothing of a hostile page ran, and its DOM holds nothing that could."""
    if hover:
        # event attributes would fire on these: move over and focus every link
        try:
            for e in d.find_elements(By.CSS_SELECTOR, "a, input, h2, p, li, span")[:150]:
                d.execute_script("arguments[0].dispatchEvent(new MouseEvent('mouseover', {bubbles: true}));"
                                 "if (arguments[0].focus) arguments[0].focus();", e)
        except WebDriverException:
            pass
    time.sleep(0.2)
    alert = no_alert(d)
    ok(alert is None, "%s: no alert" % what, alert)
    r = d.execute_script(INSPECT)
    ok(r["pwned"] is None, "%s: no payload ran (window.__pwned unset)" % what, r["pwned"])
    ok(not r["bad"], "%s: nothing in the DOM that could run" % what, "\n".join(r["bad"][:10]))


def shot(d, shots, name, width=1280):
    """A screenshot of the whole page, at a width of 1280, or as a phone."""
    path = os.path.join(shots, name + ".png")
    if width < 600:
        # the first screen: what a reader sees on opening the page
        phone(d)
        d.save_screenshot(path)
        return path
    d.set_window_size(width, 900)
    h = d.execute_script("return document.documentElement.scrollHeight")
    d.set_window_size(width, min(max(h + 120, 600), 4000))
    d.save_screenshot(path)
    d.set_window_size(1280, 900)
    return path


def phone(d, height=812):
    """A phone's screen: 375 CSS pixels wide, touch, twice the density."""
    d.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                      {"width": 375, "height": height, "deviceScaleFactor": 2, "mobile": True})


def desktop(d):
    d.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    d.set_window_size(1280, 900)


def tab_to(d, predicate, most=40):
    """Presses Tab until predicate(active element) holds; the presses, or None."""
    for i in range(1, most + 1):
        d.switch_to.active_element.send_keys(Keys.TAB)
        if predicate(d.switch_to.active_element):
            return i
    return None


def start_server(server, index, work):
    """eafserve on the fixture index, on a port the system picks (it
    writes the port to a file)."""
    portfile = os.path.join(work, "port")
    logpath = os.path.join(work, "eafserve.log")
    if os.path.exists(portfile):
        os.unlink(portfile)
    log = open(logpath, "w")
    p = subprocess.Popen([server, "-d", index, "--listen", "127.0.0.1:0",
                          "--port-file", portfile, "--access-log", os.path.join(work, "access.log")],
                         stdout=log, stderr=subprocess.STDOUT)
    base = None
    for _ in range(100):
        if p.poll() is not None:
            break
        try:
            if base is None:
                with open(portfile) as f:
                    port = f.read().strip()
                if port:
                    base = "http://127.0.0.1:%s" % port
            if base:
                with urllib.request.urlopen(base + "/healthz", timeout=1) as r:
                    if r.status == 200:
                        return p, base
        except OSError:
            pass
        time.sleep(0.1)
    if p.poll() is None:
        p.kill()
    p.wait()
    log.close()
    with open(logpath) as f:
        raise RuntimeError("eafserve did not start: " + f.read()[-2000:])


def make_driver(args):
    o = webdriver.ChromeOptions()
    o.binary_location = args.chromium
    for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
              "--window-size=1280,900", "--user-data-dir=" + os.path.join(args.work, "profile"),
              "--disable-extensions", "--no-first-run"):
        o.add_argument(a)
    o.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    d = webdriver.Chrome(service=Service(args.driver), options=o)
    d.set_page_load_timeout(20)
    return d


# ---- with the server -------------------------------------------------------------------

def served(d, base, shots):
    wait = WebDriverWait(d, 10)

    # the keyboard alone: Tab to the box, type, Enter, Tab to a hit
    d.get(base + "/")
    ok(d.title.endswith("East Asia Forum archive") or "archive" in d.title.lower() or d.title,
       "front page loads", d.title)
    presses = tab_to(d, lambda e: e.get_attribute("id") == "q", 6)
    ok(presses is not None, "keyboard: Tab reaches the search box (%s presses)" % presses)
    first = d.execute_script("return document.querySelector('a.skip') === document.activeElement")
    d.switch_to.active_element.send_keys("trade tariffs")
    d.switch_to.active_element.send_keys(Keys.ENTER)
    wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "ol.hits")))
    ok("q=trade" in d.current_url, "keyboard: Enter searches", d.current_url)
    presses = tab_to(d, lambda e: e.get_attribute("href") and
                     e.find_elements(By.XPATH, "./ancestor::li[@class='hit']"))
    ok(presses is not None, "keyboard: Tab reaches a hit's link (%s presses)" % presses)
    focus = d.execute_script("var e = document.activeElement; var s = getComputedStyle(e);"
                             "return s.outlineStyle + ' ' + s.outlineWidth;")
    ok(not focus.startswith("none"), "keyboard: the focus is visible (%s)" % focus)
    # the skip link comes first and moves to the content
    d.get(base + "/?q=trade")
    d.switch_to.active_element.send_keys(Keys.TAB)
    ok(d.switch_to.active_element.get_attribute("class") == "skip", "keyboard: the skip link is first")
    d.switch_to.active_element.send_keys(Keys.ENTER)
    ok(d.execute_script("return document.activeElement.id") == "main",
       "keyboard: the skip link goes to the content")

    d.get(base + "/?q=trade%20tariffs")
    total = d.find_element(By.CSS_SELECTOR, "p.count").text
    ok("23 articles" in total, "search: the total", total)
    ok(len(d.find_elements(By.CSS_SELECTOR, "li.hit")) == 10, "search: ten hits")
    ok(len(d.find_elements(By.CSS_SELECTOR, "li.hit mark")) > 0, "search: the words are marked")
    ok(not console_problems(d), "search: no CSP report", console_problems(d))
    print("# screenshot " + shot(d, shots, "search"))

    # a facet
    link = d.find_element(By.XPATH, "//section[h3='Topics']//a[span[@class='v']='Trade']")
    n = int(link.find_element(By.CSS_SELECTOR, ".n").text)
    link.click()
    wait.until(EC.url_contains("topic=Trade"))
    total = d.find_element(By.CSS_SELECTOR, "p.count").text
    ok(total.startswith("%d article" % n), "facet: the count it showed is the total (%d)" % n, total)
    ok(d.find_elements(By.CSS_SELECTOR, ".active a.remove"), "facet: shown in use, with a remove link")
    print("# screenshot " + shot(d, shots, "facet"))
    d.find_element(By.CSS_SELECTOR, ".active a.remove").click()
    wait.until(lambda d: "topic=" not in d.current_url)
    ok("topic=" not in d.current_url, "facet: removed again")

    # the next page
    d.find_element(By.CSS_SELECTOR, "nav.pages a[rel=next]").click()
    wait.until(EC.url_contains("offset=10"))
    cur = d.find_element(By.CSS_SELECTOR, "nav.pages a[aria-current=page]").text
    ok(cur.strip().endswith("2"), "pages: on page 2", cur)
    ok(d.find_element(By.CSS_SELECTOR, "ol.hits").get_attribute("start") == "11", "pages: numbered from 11")

    # an article, and a related post
    d.find_element(By.CSS_SELECTOR, "li.hit p.more a").click()
    wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "article.article h1")))
    ok("/article/" in d.current_url, "article: opened", d.current_url)
    title = d.find_element(By.CSS_SELECTOR, "article.article h1").text
    rel = d.find_elements(By.CSS_SELECTOR, "ol.related-list a")
    ok(len(rel) > 0, "article: related posts")
    ok(not console_problems(d), "article: no CSP report", console_problems(d))
    d.find_element(By.LINK_TEXT, "Why these posts?").click()
    wait.until(EC.url_contains("why=1"))
    ok(d.find_elements(By.CSS_SELECTOR, "dl.why"), "article: the reasons on request")
    print("# screenshot " + shot(d, shots, "article"))
    code = d.find_element(By.ID, "embed").get_attribute("value")
    ok(code.startswith("<iframe src=\"" + base), "article: the embed snippet, absolute", code)
    d.find_element(By.CSS_SELECTOR, "ol.related-list a").click()
    wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "article.article h1")))
    ok(d.find_element(By.CSS_SELECTOR, "article.article h1").text != title,
       "related: following one opens another article")

    # the embed
    src = code.split('"')[1]
    d.get(src)
    links = d.find_elements(By.CSS_SELECTOR, "ol.related-list a")
    ok(links and all(a.get_attribute("target") == "_top" for a in links),
       "embed: its links open in the whole window")
    ok(not console_problems(d), "embed: no CSP report", console_problems(d))

    # completion
    d.get(base + "/")
    box = d.find_element(By.ID, "q")
    box.send_keys("tra")
    try:
        WebDriverWait(d, 5).until(lambda d: d.find_elements(By.CSS_SELECTOR, "#q-suggest li"))
        ok(box.get_attribute("aria-expanded") == "true", "completion: a list under the box")
        box.send_keys(Keys.ARROW_DOWN)
        ok(box.get_attribute("aria-activedescendant") == "q-suggest-0",
           "completion: the arrow keys move through the list")
        print("# screenshot " + shot(d, shots, "completion"))
        box.send_keys(Keys.ESCAPE)
        ok(not d.find_element(By.ID, "q-suggest").is_displayed(), "completion: Escape closes it")
        box.send_keys("d")
        WebDriverWait(d, 5).until(lambda d: d.find_element(By.ID, "q-suggest").is_displayed())
        titles = [li for li in d.find_elements(By.CSS_SELECTOR, "#q-suggest li")
                  if li.find_element(By.CSS_SELECTOR, ".kind").text == "article"]
        if titles:
            for _ in range(int(titles[0].get_attribute("id").rsplit("-", 1)[1]) + 1):
                box.send_keys(Keys.ARROW_DOWN)
            box.send_keys(Keys.ENTER)
            wait.until(EC.url_contains("/article/"))
            ok("/article/" in d.current_url, "completion: Enter on a title opens its article")
        else:
            ok(False, "completion: titles among the suggestions")
    except TimeoutException:
        ok(False, "completion: a list appears under the box")

    # a phone
    phone(d)
    d.get(base + "/?q=trade%20tariffs")
    sw = d.execute_script("return document.documentElement.scrollWidth")
    ok(sw <= 375, "phone: nothing wider than the screen (%d px)" % sw)
    print("# screenshot " + shot(d, shots, "phone", 375))
    desktop(d)

    # OpenSearch, from the link in the page
    d.get(base + "/")
    href = d.find_element(By.CSS_SELECTOR, "link[rel=search]").get_attribute("href")
    with urllib.request.urlopen(href, timeout=5) as r:
        body = r.read()
        ctype = r.headers.get("Content-Type", "")
    try:
        root = ET.fromstring(body)
        ok(root.tag.endswith("OpenSearchDescription"), "opensearch: well-formed, its root element")
    except ET.ParseError as e:
        ok(False, "opensearch: well-formed", e)
    ok(ctype.startswith("application/opensearchdescription+xml"), "opensearch: its type", ctype)

    # the hostile pages
    hostile_queries = [
        "hostile",
        "<script>window.__pwned=1</script>",
        "\"><img src=x onerror=\"window.__pwned=2\">",
        "' onmouseover='window.__pwned=3",
        "javascript:window.__pwned=4",
        "broken \udcff utf8",
    ]
    for i, q in enumerate(hostile_queries):
        qs = urllib.parse.quote(q.encode("utf-8", "surrogateescape"))
        d.get(base + "/?n=20&q=" + qs + "&author=" + qs)
        check_safe(d, "hostile query %d" % (i + 1))
        ok(not console_problems(d), "hostile query %d: no CSP report" % (i + 1), console_problems(d))
    d.get(base + "/?q=hostile&n=20")
    print("# screenshot " + shot(d, shots, "hostile"))
    keys = [a.get_attribute("href") for a in d.find_elements(By.CSS_SELECTOR, "li.hit p.more a")]
    for i, href in enumerate(keys):
        d.get(href)
        check_safe(d, "hostile article %d" % (i + 1))
    d.get(keys[0].replace("/article/", "/embed/related/"))
    check_safe(d, "hostile embed")
    d.get(base + "/article/%3Cscript%3Ewindow.__pwned%3D1%3C%2Fscript%3E")
    check_safe(d, "hostile unknown key")


# ---- the rendered files -----------------------------------------------------------------

def rendered(d, pages, shots):
    url = "file://" + pages + "/"
    for name in ("hostile.html", "hostile-q.html", "hostile-article.html", "search.html",
                 "article.html", "embed.html", "nothing.html", "error.html"):
        d.get(url + name)
        check_safe(d, "file " + name)
    d.get(url + "search.html")
    presses = tab_to(d, lambda e: e.get_attribute("id") == "q", 6)
    ok(presses is not None, "keyboard: Tab reaches the search box (%s presses)" % presses)
    presses = tab_to(d, lambda e: e.get_attribute("href") and
                     e.find_elements(By.XPATH, "./ancestor::li[@class='hit']"))
    ok(presses is not None, "keyboard: Tab reaches a hit's link (%s presses)" % presses)
    print("# screenshot " + shot(d, shots, "search"))
    d.get(url + "facet.html")
    print("# screenshot " + shot(d, shots, "facet"))
    d.get(url + "article.html")
    print("# screenshot " + shot(d, shots, "article"))
    d.get(url + "hostile.html")
    print("# screenshot " + shot(d, shots, "hostile"))
    for name in ("search.html", "hostile.html", "article.html"):
        phone(d)
        d.get(url + name)
        sw = d.execute_script("return document.documentElement.scrollWidth")
        ok(sw <= 375, "phone: %s no wider than the screen (%d px)" % (name, sw))
    d.get(url + "search.html")
    print("# screenshot " + shot(d, shots, "phone", 375))
    desktop(d)
    with open(os.path.join(pages, "opensearch.xml"), "rb") as f:
        try:
            ok(ET.fromstring(f.read()).tag.endswith("OpenSearchDescription"),
               "opensearch: well-formed")
        except ET.ParseError as e:
            ok(False, "opensearch: well-formed", e)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--chromium", required=True)
    ap.add_argument("--driver", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--shots", required=True)
    ap.add_argument("--server")
    args = ap.parse_args()
    pages = os.path.abspath(os.path.join(args.work, "pages"))

    try:
        d = make_driver(args)
    except WebDriverException as e:
        print("1..0 # SKIP Chromium does not start here: %s" % str(e).splitlines()[0][:200])
        return 0
    proc = None
    try:
        rendered(d, pages, args.shots)
        if args.server:
            try:
                proc, base = start_server(args.server, os.path.join(pages, "index.db"), args.work)
            except RuntimeError as e:
                ok(False, "eafserve starts on a loopback port", e)
            else:
                served(d, base, args.shots)
        else:
            skip("search, facet, pages, article, related post, completion through eafserve",
                 "tools/eafserve is not built")
    except Exception as e:  # a page that is not as expected: one failure, with why
        ok(False, "the browser test ran to its end", "%s: %s" % (type(e).__name__, e))
    finally:
        d.quit()
        if proc:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
    print("1..%d" % COUNT)
    return 1 if FAILED else 0


if __name__ == "__main__":
    sys.exit(main())
