from django.core.mail import send_mail


def test_mail_sent_by_the_app_reaches_the_smtp_server(smtp_server, wait_for):
    send_mail("Rendez-vous confirmé", "Bonjour", None, ["citizen@example.org"])

    wait_for(lambda: smtp_server.messages, what="the message at the SMTP server")
    assert smtp_server.subjects() == ["Rendez-vous confirmé"]
    assert smtp_server.messages[0]["To"] == "citizen@example.org"
