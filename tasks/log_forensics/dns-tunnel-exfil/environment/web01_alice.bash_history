#1783794456
df -h
#1783794563
free -m
#1783800199
uptime
#1783800229
ls -la /srv
#1783862883
df -h
#1783862912
journalctl -u nginx --since today
#1783865162
free -m
#1783865213
journalctl -u nginx --since today
#1783875933
journalctl -u nginx --since today
#1783875945
ls -la /srv
#1783880226
systemctl status app
#1783880288
ls -la /srv
#1783890615
df -h
#1783890674
uptime
#1783896723
free -m
#1783896829
uptime
#1783907563
journalctl -u nginx --since today
#1783907639
ls -la /srv
#1783914362
journalctl -u nginx --since today
#1783914370
ls -la /srv
#1783918183
ls -la /srv
#1783918194
journalctl -u nginx --since today
#1783942093
uptime
#1783942131
tail -n 50 /var/log/syslog
#1783962949
ls -la /srv
#1783963015
systemctl status app
#1784000162
uptime
#1784000253
journalctl -u nginx --since today
#1784004837
ls -la /srv
#1784004842
journalctl -u nginx --since today
#1784022222
ls -la /srv
#1784022314
free -m
#1784028290
free -m
#1784028313
systemctl status app
#1784049160
systemctl status app
#1784049175
journalctl -u nginx --since today
#1784072104
systemctl status app
#1784072123
ls -la /srv
