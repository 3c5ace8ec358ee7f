"""The light and dark displays in a real browser: chosen without JavaScript, edges you can
see (3:1) in both, every page readable at 200 % zoom and on a 320 px screen, and
screenshots of both on a phone and a desktop."""

import re

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("seeded")]

PAGE_BG = {"light": (246, 244, 239), "dark": (20, 20, 20)}  # --pm-bg in site.css and dark.css
FREE_DAY = re.compile(r"\d+ free times?")
A_TIME = re.compile(r"^\d{1,2}:\d\d [AP]M")


def _channels(css_color):
    return tuple(int(float(part)) for part in re.findall(r"[\d.]+", css_color)[:3])


def _luminance(rgb):
    def linear(channel):
        channel /= 255
        return channel / 12.92 if channel <= 0.03928 else ((channel + 0.055) / 1.055) ** 2.4

    red, green, blue = (linear(channel) for channel in rgb)
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast(first, second):
    lighter, darker = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


# The element's border and outline colours, and the first opaque background behind it.
COLOURS_JS = """(element) => {
  const style = getComputedStyle(element);
  let node = element.parentElement, behind = "rgb(255, 255, 255)";
  while (node) {
    const colour = getComputedStyle(node).backgroundColor;
    if (colour !== "rgba(0, 0, 0, 0)" && colour !== "transparent") { behind = colour; break; }
    node = node.parentElement;
  }
  return {border: style.borderTopColor, outline: style.outlineColor, outlineStyle: style.outlineStyle,
          outlineWidth: style.outlineWidth, behind: behind};
}"""


def colours(locator):
    found = locator.evaluate(COLOURS_JS)
    return {key: _channels(value) if key in {"border", "outline", "behind"} else value for key, value in found.items()}


def go_to_details(page, base_url):
    page.goto(base_url + "/book/")
    page.get_by_role("link", name=FREE_DAY).nth(6).click()
    page.get_by_role("link", name=A_TIME).first.click()
    page.wait_for_load_state("load")


def focus_by_keyboard(page, locator):
    """Tab until locator has the focus, as a keyboard user gets there (so :focus-visible applies)."""
    for _ in range(30):
        if locator.evaluate("(element) => element === document.activeElement"):
            return
        page.keyboard.press("Tab")
    raise AssertionError("never reached by the Tab key")


@pytest.mark.parametrize("viewport", ["phone"], indirect=True)
@pytest.mark.parametrize("color_scheme", ["light", "dark"])
def test_inputs_checkboxes_radios_and_focus_rings_stand_out_3_to_1(live_server, page, color_scheme):
    go_to_details(page, live_server.url)
    assert _channels(page.evaluate("getComputedStyle(document.body).backgroundColor")) == PAGE_BG[color_scheme]
    name = page.get_by_label("Your name")
    policy = page.get_by_label("I have read and accept the cancellation policy")
    for label, control in [("text input", name), ("checkbox", policy)]:
        found = colours(control)
        assert contrast(found["border"], found["behind"]) >= 3, (color_scheme, label, found)
        focus_by_keyboard(page, control)
        found = colours(control)
        assert found["outlineStyle"] == "solid" and found["outlineWidth"] == "3px", (color_scheme, label, found)
        assert contrast(found["outline"], found["behind"]) >= 3, (color_scheme, label, "focus", found)

    page.goto(live_server.url + "/theme/")
    radio = page.get_by_role("radio").first
    found = colours(radio)
    assert contrast(found["border"], found["behind"]) >= 3, (color_scheme, "radio", found)


@pytest.mark.parametrize("viewport", ["phone"], indirect=True)
def test_the_display_is_chosen_and_kept_without_javascript(live_server, browser, viewport):
    context = browser.new_context(java_script_enabled=False, viewport=viewport[1], color_scheme="light")
    page = context.new_page()
    page.goto(live_server.url + "/policies/")
    page.get_by_role("link", name="Light or dark display").click()
    page.get_by_label("Dark: a dark grey background").check()
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state("load")
    assert page.url == live_server.url + "/policies/"
    assert page.locator("html").get_attribute("data-theme") == "dark"
    assert _channels(page.evaluate("getComputedStyle(document.body).backgroundColor")) == PAGE_BG["dark"]

    page.goto(live_server.url + "/book/")  # every page after, the booking pages' saved copies too
    assert page.locator("html").get_attribute("data-theme") == "dark"
    assert _channels(page.evaluate("getComputedStyle(document.body).backgroundColor")) == PAGE_BG["dark"]
    (cookie,) = [cookie for cookie in context.cookies() if cookie["name"] == "theme"]
    assert cookie["value"] == "dark" and cookie["sameSite"] == "Lax" and cookie["httpOnly"]
    context.close()


# 200 % zoom on a 1280 px screen, 400 % (WCAG's 320 px reflow), and text alone at 200 %.
ZOOMS = {
    "zoom-200": {"viewport": {"width": 640, "height": 400}, "device_scale_factor": 2},
    "reflow-320": {"viewport": {"width": 320, "height": 640}, "device_scale_factor": 1},
    "text-200": {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 1, "text": "200%"},
}


# Nothing when the page fits the screen; else the elements that stick out, for the message.
WIDER_THAN_THE_SCREEN_JS = """() => {
  const screen = document.documentElement.clientWidth;
  if (document.documentElement.scrollWidth <= screen) return null;
  return [...document.querySelectorAll("body *")]
    .filter((element) => element.getBoundingClientRect().right > screen + 1)
    .slice(-3)
    .map((element) => `${element.tagName}.${element.className} "${element.textContent.trim().slice(0, 40)}"`);
}"""


@pytest.mark.parametrize("zoom", sorted(ZOOMS))
def test_no_sideways_scrolling_at_200_percent_or_on_a_320_px_screen(live_server, browser, zoom):
    setting = dict(ZOOMS[zoom])
    text = setting.pop("text", None)
    context = browser.new_context(**setting)
    page = context.new_page()

    def wide_pages():
        page.goto(live_server.url + "/")
        yield "home"
        page.goto(live_server.url + "/book/")
        yield "days"
        page.get_by_role("link", name=FREE_DAY).nth(6).click()
        page.wait_for_load_state("load")
        yield "times"
        page.get_by_role("link", name=A_TIME).first.click()
        page.wait_for_load_state("load")
        yield "details"

    too_wide = {}
    for name in wide_pages():
        if text:  # the browser's own font size setting: everything is sized in rem
            page.evaluate(f"document.documentElement.style.fontSize = {text!r}")
        if wider := page.evaluate(WIDER_THAN_THE_SCREEN_JS):
            too_wide[name] = wider
    context.close()
    assert not too_wide, f"{zoom}: pages wider than the screen: {too_wide}"


@pytest.mark.parametrize("color_scheme", ["light", "dark"])
def test_screenshots_of_both_displays(live_server, page, screenshot, color_scheme):
    page.goto(live_server.url + "/")
    screenshot(f"display-{color_scheme}-home")
    page.goto(live_server.url + "/book/")
    screenshot(f"display-{color_scheme}-days")
    page.get_by_role("link", name=FREE_DAY).nth(6).click()
    screenshot(f"display-{color_scheme}-times")
    page.get_by_role("link", name=A_TIME).first.click()
    page.get_by_role("button", name="Confirm booking").click()  # empty: the errors, in this display
    screenshot(f"display-{color_scheme}-details-errors")
    page.goto(live_server.url + "/theme/")
    screenshot(f"display-{color_scheme}-theme")
