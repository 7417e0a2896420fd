{% load i18n static %}<?xml version="1.0" encoding="utf-8"?>
{% comment %}Shows a search's Atom feed (search/feeds.py) as a page of the site: what it is, how to
follow it, its entries. Text comes out through xsl:value-of, which escapes it: never
disable-output-escaping. No inline style or script (the site's CSP): the page links site.css.{% endcomment %}
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform" xmlns:atom="http://www.w3.org/2005/Atom" exclude-result-prefixes="atom">
  <xsl:output method="html" encoding="utf-8" indent="yes" doctype-system="about:legacy-compat"/>
  <xsl:template match="/atom:feed">
    <html lang="{{ LANGUAGE_CODE }}">
      <head>
        <meta charset="utf-8"/>
        <meta name="viewport" content="width=device-width, initial-scale=1"/>
        <title><xsl:value-of select="atom:title"/></title>
        <link rel="stylesheet" href="{% static 'css/site.css' %}"/>
      </head>
      <body>
        <a class="skip-link" href="#main">{% translate "Skip to main content" %}</a>
        <header class="site-header">
          <div class="wrapper site-header__inner">
            <a class="site-name" href="{% url 'wagtail_serve' '' %}">{% translate "Integrity Commons" %}</a>
          </div>
        </header>
        <main id="main" tabindex="-1">
          <div class="wrapper">
            <p class="type-label">{% translate "Atom feed" %}</p>
            <h1><xsl:value-of select="atom:title"/></h1>
            <div class="feed-about prose">
              <p class="lead"><xsl:value-of select="atom:subtitle"/></p>
              <p><label for="feed-address">{% translate "Address of this feed, to copy into your feed reader:" %}</label></p>
              <p><input id="feed-address" class="feed-about__address" type="text" readonly="readonly" value="{atom:link[@rel='self']/@href}"/></p>
              <p>{% translate "A feed reader (such as Thunderbird, Feedly, NetNewsWire or your e-mail program) then shows each new item as it is published. Feeds list public items only." %}</p>
              <p><a href="{atom:link[@rel='alternate']/@href}">{% translate "See this search on the site" %}</a></p>
            </div>
            <h2>{% translate "Newest items" %}</h2>
            <xsl:choose>
              <xsl:when test="atom:entry">
                <ul class="item-list">
                  <xsl:for-each select="atom:entry">
                    <li class="item-list__item">
                      <h3 class="item-list__title"><a href="{atom:link/@href}"><xsl:value-of select="atom:title"/></a></h3>
                      <xsl:if test="atom:published">
                        <p class="item-list__meta"><time datetime="{substring(atom:published, 1, 10)}"><xsl:value-of select="substring(atom:published, 1, 10)"/></time></p>
                      </xsl:if>
                      <xsl:if test="atom:summary"><p><xsl:value-of select="atom:summary"/></p></xsl:if>
                    </li>
                  </xsl:for-each>
                </ul>
              </xsl:when>
              <xsl:otherwise><p>{% translate "No public items match this search yet: new ones will appear here and in your feed reader." %}</p></xsl:otherwise>
            </xsl:choose>
          </div>
        </main>
      </body>
    </html>
  </xsl:template>
</xsl:stylesheet>
