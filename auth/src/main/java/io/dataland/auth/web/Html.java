package io.dataland.auth.web;

/** The staff pages' markup: plain HTML, no JavaScript, every input labelled, every value escaped. */
final class Html {

    private Html() {
    }

    /** A form page: {@code kind} is {@code login}, {@code signup} or {@code password}. */
    static String form(String kind, String csrf, String email, String fullName, String error) {
        if (kind.equals("password")) {
            return passwordForm(csrf, error, false);
        }
        boolean signup = kind.equals("signup");
        String title = signup ? "Create a staff account" : "Staff sign-in";
        StringBuilder body = new StringBuilder();
        body.append("<h1>").append(title).append("</h1>\n");
        if (error != null) {
            body.append("<p role=\"alert\" class=\"error\" id=\"error\">").append(escape(error)).append("</p>\n");
        }
        body.append("<form method=\"post\" action=\"/").append(kind).append("\">\n")
                .append("<input type=\"hidden\" name=\"csrf\" value=\"").append(escape(csrf)).append("\">\n")
                .append("<p><label for=\"email\">Email</label><br>")
                .append("<input id=\"email\" name=\"email\" type=\"email\" autocomplete=\"username\" required value=\"")
                .append(escape(email == null ? "" : email)).append("\"></p>\n");
        if (signup) {
            body.append("<p><label for=\"full_name\">Full name (optional)</label><br>")
                    .append("<input id=\"full_name\" name=\"full_name\" type=\"text\" autocomplete=\"name\" value=\"")
                    .append(escape(fullName == null ? "" : fullName)).append("\"></p>\n");
        }
        body.append("<p><label for=\"password\">Password").append(signup ? " (at least 8 characters)" : "")
                .append("</label><br><input id=\"password\" name=\"password\" type=\"password\" autocomplete=\"")
                .append(signup ? "new-password" : "current-password").append("\" required></p>\n")
                .append("<p><button type=\"submit\">").append(signup ? "Create account" : "Sign in")
                .append("</button></p>\n</form>\n")
                .append(signup ? "<p><a href=\"/login\">Already have an account? Sign in</a></p>\n"
                        : "<p><a href=\"/signup\">No account yet? Create one</a></p>\n");
        return page(title, body.toString());
    }

    /** The page after a successful sign-in or signup, with the links to change the password and sign out. */
    static String signedIn(String email, String sub, String csrf) {
        return page("Signed in", "<h1>Signed in</h1>\n<p id=\"signed-in\">You are signed in as <strong>"
                + escape(email) + "</strong>.</p>\n<p>Account id: <code>" + escape(sub) + "</code></p>\n"
                + "<p>Your access token is stored in a secure cookie for this site.</p>\n"
                + "<p><a href=\"/password\" id=\"change-password\">Change your password</a></p>\n"
                + signOutForm(csrf));
    }

    /** A short page saying {@code text} (element id {@code id}). */
    static String message(String title, String id, String text) {
        return page(title, "<h1>" + escape(title) + "</h1>\n<p id=\"" + escape(id) + "\">" + escape(text) + "</p>\n"
                + "<p><a href=\"/login\">Sign in</a></p>\n");
    }

    /** The password page for a caller without a valid token cookie: the error and a link to sign in. */
    static String signInFirst(String csrf) {
        return passwordForm(csrf, "Please sign in first.", true);
    }

    private static String passwordForm(String csrf, String error, boolean signInLink) {
        StringBuilder body = new StringBuilder("<h1>Change your password</h1>\n");
        if (error != null) {
            body.append("<p role=\"alert\" class=\"error\" id=\"error\">").append(escape(error)).append("</p>\n");
        }
        if (signInLink) {
            body.append("<p><a href=\"/login\" id=\"sign-in\">Sign in</a></p>\n");
        }
        body.append("<form method=\"post\" action=\"/password\">\n")
                .append("<input type=\"hidden\" name=\"csrf\" value=\"").append(escape(csrf)).append("\">\n")
                .append("<p><label for=\"current_password\">Current password</label><br>")
                .append("<input id=\"current_password\" name=\"current_password\" type=\"password\"")
                .append(" autocomplete=\"current-password\" required></p>\n")
                .append("<p><label for=\"new_password\">New password (at least 8 characters)</label><br>")
                .append("<input id=\"new_password\" name=\"new_password\" type=\"password\"")
                .append(" autocomplete=\"new-password\" required></p>\n")
                .append("<p><button type=\"submit\">Change password</button></p>\n</form>\n")
                .append(signOutForm(csrf));
        return page("Change your password", body.toString());
    }

    private static String signOutForm(String csrf) {
        return "<form method=\"post\" action=\"/logout\">\n<input type=\"hidden\" name=\"csrf\" value=\""
                + escape(csrf) + "\">\n<p><button type=\"submit\" id=\"sign-out\">Sign out</button></p>\n</form>\n";
    }

    private static String page(String title, String body) {
        return "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                + "<title>" + escape(title) + " - Dataland</title>\n"
                + "<style>body{font-family:sans-serif;max-width:28rem;margin:3rem auto;padding:0 1rem}"
                + "input{width:100%;padding:.4rem}.error{color:#a00}</style>\n</head>\n<body>\n<main>\n"
                + body + "</main>\n</body>\n</html>\n";
    }

    /** HTML-escapes text for element content and double-quoted attributes. */
    static String escape(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }
}
